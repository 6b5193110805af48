"""Intake at the meeting point, and the guest's ticket page.

Coordinators register parties on a phone in the dark: one page, a form that is ready again
as soon as a ticket code shows, tonight's waiting parties below. Guests need no account:
their ticket link carries a long signed secret, never just the four letters called out.
"""
from __future__ import annotations

import functools
import hashlib
import json
import uuid

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.http import require_GET, require_POST

from nightstay.hubs import live
from nightstay.hubs.access import HubRequest, hub_role_required
from nightstay.hubs.models import STAFF, Night, NightEvent

from .forms import PartyForm
from .models import Party, TicketBlock

GUEST_LANGUAGE_CODES = [code for code, _name in settings.GUEST_LANGUAGES]


PAGE_ROWS = 20


def _waiting(night, show_all: bool = False) -> dict:
    """Tonight's parties still at the park, first come first: how many (one query, whatever the
    queue) and the newest 20 rows, or all of them when asked ("show all")."""
    listed = Party.objects.filter(night=night, status__in=[Party.Status.WAITING, Party.Status.PLACED])
    counts = listed.aggregate(parties=Count("pk"), people=Sum("size"))
    if show_all:
        rows = list(listed)
    else:
        rows = list(listed.order_by("-waiting_since", "-pk")[:PAGE_ROWS])[::-1]
    return {"rows": rows, "waiting_count": counts["parties"], "waiting_people": counts["people"] or 0,
            "show_all": show_all, "hidden_rows": counts["parties"] - len(rows)}


def closed_message(night: Night) -> str:
    """Why nothing is registered or changed on a closed night (its figures are counted), or ""."""
    if night.status != Night.Status.CLOSED:
        return ""
    return _("Tonight is closed: its figures are counted, so nobody can be registered or changed any more. "
             "Register newcomers tomorrow evening.")


def _hub_party(request: HubRequest, party_id) -> Party:
    """A party of one of this hub's nights; another hub's party is a 404."""
    return get_object_or_404(Party.objects.select_related("night"), pk=party_id, night__hub=request.hub)


def _holder(request) -> str:
    """Whom a block of ticket codes was handed to: this phone's session, hashed."""
    if not request.session.session_key:
        request.session.save()
    return hashlib.sha256(f"nightstay.intake.block:{request.session.session_key}".encode()).hexdigest()


def _registration_key(request: HubRequest) -> tuple[uuid.UUID | None, Party | None]:
    """The key the phone made for this registration, and the party it already made if any; a key
    another hub used is ignored (that hub's party is never shown here)."""
    key = _uuid_or_none(request.POST.get("key", ""))
    first = Party.objects.filter(key=key).select_related("night").first() if key else None
    if first is not None and first.night.hub_id != request.hub.pk:
        return None, None
    return key, first


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@hub_role_required(*STAFF)
def intake(request: HubRequest):
    """Register a party. The phone's key makes a retry, replay or late sync answer with the first
    ticket; the answer is the ticket and the new row, never the whole list again."""
    night = request.hub.tonight()
    form = PartyForm(request.POST or None, hub=request.hub)
    if request.method == "POST":
        key, first = _registration_key(request)
        if first is None and closed_message(night):
            form.add_error(None, closed_message(night))  # the form comes back with what was typed
        elif first is not None or form.is_valid():
            party, created = first, False
            if first is None:
                party = form.save(commit=False)
                party.night, party.key = night, key
                party, created = Party.register(party, ticket=request.POST.get("ticket", "").strip().upper(),
                                                 looked=True)
            if created and night.status == Night.Status.ANNOUNCED:  # the announced plan does not know them
                NightEvent.record(night, NightEvent.Kind.NEWCOMER, by=request.user, ref=party.ticket,
                                  people=party.size)
            elif created:
                night.changed()
            return _registered(request, party, created)
        if _wants_json(request):
            return JsonResponse({"errors": {name: [str(e) for e in errs] for name, errs in form.errors.items()}},
                                status=400)
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
    shell = request.GET.get("shell") == "1"  # what the phone keeps for offline use: the form, no list
    context = {"form": form, "new_party": new_party, "night": night, "shell": shell, "key": uuid.uuid4(),
               "ticket_block": TicketBlock.for_holder(night, _holder(request)),
               **({} if shell or request.htmx else _waiting(night, show_all=request.GET.get("all") == "1"))}
    if request.htmx:
        return render(request, "intake/_intake.html", context)
    return render(request, "intake/intake.html", context)


def _registered(request: HubRequest, party: Party, created: bool) -> HttpResponse:
    """The answer to a registration: to the phone's script, the ticket, the new row and tonight's
    counts (a new block of codes when its block runs low); to htmx, the ticket and a fresh form
    with the row added out of band; without script, a redirect to the page."""
    if not _wants_json(request) and not request.htmx:
        return redirect(reverse("intake:intake", args=[request.hub.slug]) + f"?new={party.pk}")
    counts = Party.objects.filter(night=party.night, status__in=[Party.Status.WAITING, Party.Status.PLACED]).aggregate(
        parties=Count("pk"), people=Sum("size"))
    context = {"p": party, "new_party": party, "waiting_count": counts["parties"],
               "waiting_people": counts["people"] or 0, "night": party.night}
    if request.htmx and not _wants_json(request):
        form = PartyForm(hub=request.hub)
        block = TicketBlock.for_holder(party.night, _holder(request))
        return render(request, "intake/_intake.html", {**context, "form": form, "key": uuid.uuid4(),
                                                       "ticket_block": block, "added": created})
    block = TicketBlock.for_holder(party.night, _holder(request))
    return JsonResponse({
        "ticket": party.ticket, "party": str(party.pk), "created": created, "block": block.number,
        "codes": block.codes if request.POST.get("block") != str(block.number) else [],
        "card": render_to_string("intake/_ticket_card.html", context, request),
        "row": render_to_string("intake/_row.html", context, request) if created else "",
        "head": render_to_string("intake/_waiting_head.html", context, request),
    }, status=201 if created else 200)


def _uuid_or_none(value: str):
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@hub_role_required(*STAFF)
def edit(request: HubRequest, party_id):
    party = _hub_party(request, party_id)
    form = PartyForm(request.POST or None, hub=request.hub, instance=party)
    if request.method == "POST" and closed_message(party.night):
        form.add_error(None, closed_message(party.night))
    elif request.method == "POST" and form.is_valid():
        form.save()
        party.night.changed()
        return redirect("intake:intake", hub=request.hub.slug)
    return render(request, "intake/edit.html", {"form": form, "party": party})


@require_POST
@hub_role_required(*STAFF)
def left(request: HubRequest, party_id):
    """The party left the park: it leaves the waiting list (and the next plan). With ``back``,
    the undo of a tap made by mistake: the party is back in the list."""
    party = _hub_party(request, party_id)
    if closed_message(party.night):
        messages.error(request, closed_message(party.night))
        return redirect("intake:intake", hub=request.hub.slug)
    party.night.changed()
    show_all = request.POST.get("all") == "1"
    if request.POST.get("back"):
        party.put_back()
        if request.htmx:
            return render(request, "intake/_waiting.html", _waiting(party.night, show_all))
        return redirect("intake:intake", hub=request.hub.slug)
    party.status = Party.Status.LEFT
    party.save(update_fields=["status"])
    if party.night.status == Night.Status.ANNOUNCED:  # on the board's timeline
        NightEvent.record(party.night, NightEvent.Kind.PARTY_LEFT, by=request.user, ref=party.ticket,
                          people=party.size)
    if request.htmx:
        listed = _waiting(party.night, show_all)  # the party stays in its row, with Undo, where the thumb is
        rows = sorted([*listed["rows"], party], key=lambda p: (p.waiting_since, str(p.pk)))
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
    if lang is not None and lang not in GUEST_LANGUAGE_CODES:
        raise Http404("no such ticket")
    if party_id is None:  # a mistyped link: say so in the language the link asked for
        with translation.override(lang or translation.get_language()):
            page = render_to_string("error.html", {"title": translation.gettext("Not found")})
        return HttpResponse(page, status=404)
    party = (Party.objects.select_related("night__hub", "placement__stop__trip__driver", "placement__shelter",
                                          "placement__home__host").filter(pk=party_id).first())
    if party is None or party.night.purged_at is not None:
        return _gone(request)
    if answer := live.unchanged(request, party.night):
        return answer
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


@require_GET
def service_worker(request):
    """Public, like any script of the site: the service worker that keeps the intake page (without
    its list) and its scripts for use without signal. Served from /intake/ so its scope covers
    every hub's intake page; it holds nobody's data."""
    response = render(request, "intake/sw.js", {"assets": _offline_assets()}, content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response


@functools.cache
def _offline_assets() -> dict:
    """The static files the intake page needs, and a version that changes with any of them (a
    changed service worker is what makes phones fetch the new files)."""
    names = ["nightstay/site.css", "nightstay/htmx-2.0.11.min.js", "nightstay/intake.js"]
    digest = hashlib.sha256()
    for name in names:
        with open(finders.find(name), "rb") as f:
            digest.update(f.read())
    return {"urls": json.dumps([static(name) for name in names]), "version": digest.hexdigest()[:12]}
