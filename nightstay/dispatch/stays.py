"""Stays: their page, and on the board and the host's page: make one from tonight's placement,
book one ahead, end one.

A coordinator (with the second factor) may do all three for any home of the hub; a host may
make a stay from a guest placed with them tonight and end a stay in their own home, nothing
else. Each is one POST that goes back to the page it came from.
"""
from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nightstay.hubs.access import HubRequest, hub_role_required, needs_second_factor
from nightstay.hubs.models import STAFF, Role
from nightstay.planning import stays
from nightstay.planning.forms import BookStayForm, MakeStayForm
from nightstay.planning.models import Placement, Stay


def _is_staff(request: HubRequest) -> bool:
    """A coordinator or admin of this hub who passed the second factor (a host who is also a
    coordinator, logged in without it, acts as a host only)."""
    return bool(request.roles & set(STAFF)) and not needs_second_factor(request.user, request.roles)


def _back(request: HubRequest):
    """Staff go back to the page they tapped on (the board or the stays page), a host to their own."""
    if not _is_staff(request):
        return redirect("host_tonight", hub=request.hub.slug)
    return redirect("board" if request.POST.get("back") == "board" else "stays", hub=request.hub.slug)


@hub_role_required(*STAFF)
def stays_page(request: HubRequest, form: BookStayForm | None = None):
    """The stays tonight and ahead (each with its End button), tonight's guests in homes who could
    stay, and a stay to book ahead (``form``: a refused booking, with what was typed)."""
    night = request.hub.tonight()
    held = (Stay.objects.filter(hub=request.hub, last_night__gte=night.date).select_related("home__host")
            .order_by("first_night", "home__area"))
    return render(request, "dispatch/stays.html", {
        "stays": held, "could_stay": stays.could_stay(night), "make_stay_form": MakeStayForm(),
        "stay_form": form or BookStayForm(hub=request.hub, initial={"first_night": night.date})})


def _refused(request: HubRequest, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@hub_role_required(*STAFF, Role.HOST)
@require_POST
def make_stay(request: HubRequest):
    """Tonight's guest in a home (``placement``) stays there ``more`` nights: a coordinator's tap, or the host's."""
    night = request.hub.tonight()
    try:
        pk = uuid.UUID(request.POST.get("placement", ""))
    except ValueError:
        raise Http404("no such placement") from None
    placement = get_object_or_404(Placement.objects.select_related("party", "night", "home"), pk=pk,
                                  night=night, home__isnull=False)
    if not _is_staff(request) and placement.home.host_id != request.user.pk:
        raise Http404("no such page")
    form = MakeStayForm(request.POST)
    if not form.is_valid():
        _refused(request, form)
        return _back(request)
    try:
        stay = stays.make(placement, form.cleaned_data["more"], form.cleaned_data["pickup"])
    except stays.StayRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(ticket)s stays until the night of %(date)s.") % {
            "ticket": stay.ticket, "date": date_format(stay.last_night, "l j F")})
    return _back(request)


@hub_role_required(*STAFF)
@require_POST
def book_stay(request: HubRequest):
    """A stay booked ahead (a weekend, a holiday); refused, the stays page shows the form again
    with what was typed and why."""
    form = BookStayForm(request.POST, hub=request.hub)
    if form.is_valid():
        d = form.cleaned_data
        try:
            stay = stays.book(form.homes[d["home"]], d["first_night"], d["nights"], form.party(), d["pickup"])
        except stays.StayRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Stay booked: the guest's code is %(ticket)s.") % {"ticket": stay.ticket})
            return redirect("stays", hub=request.hub.slug)
    return stays_page(request, hub=request.hub.slug, form=form)


@hub_role_required(*STAFF, Role.HOST)
@require_POST
def end_stay(request: HubRequest, stay: str):
    """Either side, one tap: the stay is deleted, nothing links the guest to the host any more."""
    stay = get_object_or_404(Stay.objects.select_related("home"), pk=stay, hub=request.hub)
    if not _is_staff(request) and stay.home.host_id != request.user.pk:
        raise Http404("no such page")
    stays.end(stay)
    messages.success(request, _("The stay is ended."))
    return _back(request)
