"""Intake at the meeting point, and the guest's ticket page.

Coordinators register parties on a phone in the dark: one page, a form that is ready again
as soon as a ticket code shows, tonight's waiting parties below. Guests need no account:
their ticket link carries a long signed secret, never just the four letters called out.
"""
from __future__ import annotations

import uuid

import segno
from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nightstay.hubs.access import HubRequest, hub_role_required
from nightstay.hubs.models import STAFF, Night, NightEvent

from .forms import PartyForm
from .models import Party

GUEST_LANGUAGE_CODES = [code for code, _name in settings.GUEST_LANGUAGES]


def _waiting(night) -> dict:
    """Tonight's parties still at the park, first come first, and how many people they are."""
    parties = list(Party.objects.filter(night=night, status__in=[Party.Status.WAITING, Party.Status.PLACED]))
    return {"waiting": parties, "waiting_people": sum(p.size for p in parties)}


def _hub_party(request: HubRequest, party_id) -> Party:
    """A party of one of this hub's nights; another hub's party is a 404."""
    return get_object_or_404(Party.objects.select_related("night"), pk=party_id, night__hub=request.hub)


@hub_role_required(*STAFF)
def intake(request: HubRequest):
    night = request.hub.tonight()
    form = PartyForm(request.POST or None, hub=request.hub)
    new_party = None
    if request.method == "POST" and night.status == Night.Status.CLOSED:
        form.add_error(None, _("Tonight is closed: nobody more can be registered."))
    elif request.method == "POST" and form.is_valid():
        new_party = form.save(commit=False)
        new_party.night = night
        new_party.save_with_new_ticket()
        if night.status == Night.Status.ANNOUNCED:  # the announced plan does not know them: an alert
            NightEvent.record(night, NightEvent.Kind.NEWCOMER, by=request.user, ref=new_party.ticket,
                              people=new_party.size)
        if not request.htmx:
            return redirect(reverse("intake:intake", args=[request.hub.slug]) + f"?new={new_party.pk}")
        form = PartyForm(hub=request.hub)
    elif request.GET.get("new"):
        new_party = Party.objects.filter(night=night, pk=_uuid_or_none(request.GET["new"])).first()
    context = {"form": form, "new_party": new_party, "night": night, **_waiting(night)}
    if request.htmx:
        return render(request, "intake/_intake.html", context)
    return render(request, "intake/intake.html", context)


def _uuid_or_none(value: str):
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@hub_role_required(*STAFF)
def edit(request: HubRequest, party_id):
    party = _hub_party(request, party_id)
    form = PartyForm(request.POST or None, hub=request.hub, instance=party)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect("intake:intake", hub=request.hub.slug)
    return render(request, "intake/edit.html", {"form": form, "party": party})


@require_POST
@hub_role_required(*STAFF)
def left(request: HubRequest, party_id):
    """The party left the park: it leaves the waiting list (and the next plan). With ``back``,
    the undo of a tap made by mistake: the party is back in the list."""
    party = _hub_party(request, party_id)
    if request.POST.get("back"):
        party.put_back()
        if request.htmx:
            return render(request, "intake/_waiting.html", _waiting(party.night))
        return redirect("intake:intake", hub=request.hub.slug)
    party.status = Party.Status.LEFT
    party.save(update_fields=["status"])
    if party.night.status == Night.Status.ANNOUNCED:  # on the board's timeline
        NightEvent.record(party.night, NightEvent.Kind.PARTY_LEFT, by=request.user, ref=party.ticket,
                          people=party.size)
    if request.htmx:
        listed = _waiting(party.night)  # the party stays in its row, with Undo, where the thumb is
        rows = sorted([*listed["waiting"], party], key=lambda p: (p.waiting_since, str(p.pk)))
        return render(request, "intake/_waiting.html", {**listed, "rows": rows, "gone": party})
    return redirect("intake:intake", hub=request.hub.slug)


@hub_role_required(*STAFF)
def guest_link(request: HubRequest, party_id):
    """The guest's own ticket link, as a QR code to scan from the coordinator's phone."""
    party = _hub_party(request, party_id)
    url = settings.SITE_ROOT.rstrip("/") + reverse("intake:ticket", args=[party.guest_token()])
    qr = segno.make(url, error="m").svg_inline(scale=5, dark="#000", light="#fff")
    return render(request, "intake/guest_link.html", {"party": party, "url": url, "qr": qr})


def ticket(request, token: str, lang: str | None = None):
    """A guest's ticket page: public, never cached, no cookie, no address; gone with the night."""
    request.private_page = True
    party_id = Party.id_from_guest_token(token)
    if party_id is None or (lang is not None and lang not in GUEST_LANGUAGE_CODES):
        raise Http404("no such ticket")
    party = (Party.objects.select_related("night__hub", "placement__stop__trip__driver", "placement__shelter",
                                          "placement__home__host").filter(pk=party_id).first())
    if party is None or party.night.purged_at is not None:
        return _gone(request)
    lang = lang or _guest_language(request, party)
    with translation.override(lang):
        response = render(request, "intake/ticket.html", {
            "party": party, "step": party.next_step(), "token": token, "lang": lang,
            "languages": settings.GUEST_LANGUAGES, "guest_hub": party.night.hub})
    response["Content-Language"] = lang
    return response


def _guest_language(request, party: Party) -> str:
    """The party's first language the page speaks, else the phone's, else the site's."""
    for code in party.language_list:
        if code in GUEST_LANGUAGE_CODES:
            return code
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if code.split("-")[0].lower() in GUEST_LANGUAGE_CODES:
            return code.split("-")[0].lower()
    return translation.get_language()


def _gone(request) -> HttpResponse:
    return render(request, "intake/ticket_gone.html", status=410)
