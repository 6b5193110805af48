"""What volunteers see once the night is announced: a driver's run sheet, a host's notice.

The run sheet opens from a secret link (no log-in on a phone in a car). It shows one exact
address: the next stop's, and only until the guests are dropped there; every showing goes
through ``reveal()`` and leaves one audit row. Other stops show their area and time.
"""
from __future__ import annotations

from functools import wraps
from urllib.parse import quote

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from nightstay.hubs.access import HubRequest, hub_role_required
from nightstay.hubs.models import Role
from nightstay.intake.models import Party
from nightstay.planning.models import Placement, Stop, Trip
from nightstay.pledges.models import BedPledge
from nightstay.privacy.reveal import RevealRefused, reveal

from .models import RunSheetGrant


class Gone(Exception):
    """A run-sheet link that expired with the night, was revoked, or whose night was wiped."""


def _grant(token: str) -> RunSheetGrant:
    grant = (RunSheetGrant.objects.select_related("night__hub", "driver")
             .filter(token_hash=RunSheetGrant.hash(token)).first())
    if grant is None:
        if RunSheetGrant.was_issued(token):
            raise Gone  # purged with the night, or wiped by a panic
        raise Http404("no such run sheet")
    if not grant.is_live():
        raise Gone
    return grant


def _gone(request):
    return render(request, "dispatch/gone.html", status=410)


def run_sheet_link(view):
    """Who may see a run-sheet page: whoever holds a live link. A dead one (expired, revoked,
    purged, wiped) answers 410, a forged one 404; the view gets the link's grant."""

    @wraps(view)
    def wrapper(request, token: str, **kwargs):
        request.private_page = True
        try:
            grant = _grant(token)
        except Gone:
            return _gone(request)
        return view(request, grant, token, **kwargs)

    return wrapper


def _trips(grant: RunSheetGrant) -> list[Trip]:
    placements = Prefetch("placements", queryset=Placement.objects.select_related("party").order_by("party__ticket"))
    stops = Prefetch("stops", queryset=Stop.objects.select_related("home", "shelter").prefetch_related(placements))
    return list(Trip.objects.filter(night=grant.night, driver=grant.driver).order_by("seq").prefetch_related(stops))


@run_sheet_link
def run_sheet(request, grant: RunSheetGrant, token: str):
    return _sheet(request, grant, token)


def _sheet(request, grant: RunSheetGrant, token: str):
    """The sheet as it stands: the next stop's address (revealed, audited), the rest by area."""
    trips = _trips(grant)
    stops = [s for t in trips for s in t.stops.all()]
    nxt = next((s for s in stops if s.dropped_at is None), None)
    address, refused, geo = "", False, ""
    if nxt is not None and nxt.home is not None:
        try:
            address = reveal(nxt.home, "address", user=grant.driver, hub=grant.night.hub, purpose="run sheet")
        except RevealRefused:
            refused = True
    if nxt is not None:
        where = nxt.home or nxt.shelter
        text = address if nxt.home else nxt.shelter.name
        geo = f"geo:{where.lat},{where.lon}" + (f"?q={quote(text)}" if text else "")
    ctx = {"grant": grant, "trips": trips, "next": nxt, "address": address, "refused": refused, "geo": geo,
           "token": token}
    template = "dispatch/_run_sheet.html" if request.htmx else "dispatch/run_sheet.html"
    return render(request, template, ctx)


def _marked(request, grant: RunSheetGrant, token: str):
    """After a tap: the sheet in place (htmx) or back to it."""
    return _sheet(request, grant, token) if request.htmx else redirect("run_sheet", token=token)


@require_POST
@run_sheet_link
def departed(request, grant: RunSheetGrant, token: str, trip: str):
    trip = get_object_or_404(Trip, pk=trip, night=grant.night, driver=grant.driver)
    if trip.departed_at is None:
        trip.departed_at = timezone.now()
        trip.save(update_fields=["departed_at"])
        Party.objects.filter(placement__stop__trip=trip, status=Party.Status.PLACED).update(
            status=Party.Status.ON_THE_WAY)
    return _marked(request, grant, token)


@require_POST
@run_sheet_link
def dropped(request, grant: RunSheetGrant, token: str, stop: str):
    stop = get_object_or_404(Stop, pk=stop, trip__night=grant.night, trip__driver=grant.driver)
    if stop.dropped_at is None:
        stop.dropped_at = timezone.now()
        stop.save(update_fields=["dropped_at"])
    return _marked(request, grant, token)


@hub_role_required(Role.HOST)
def host_tonight(request: HubRequest):
    """Who is coming to my home tonight, when, with whom; and who to collect at the park."""
    night = request.hub.tonight()
    placements = (Placement.objects.filter(night=night, announced=True, home__host=request.user,
                                           home__hub=request.hub)
                  .select_related("party", "home", "stop__trip__driver").order_by("arrive", "party__ticket"))
    self_pickup = {p.home_id: p for p in BedPledge.objects.filter(home__host=request.user, home__hub=request.hub,
                                                                  pickup="self") if p.is_open_on(night.date)}
    for p in placements:
        p.pickup = self_pickup.get(p.home_id)
    ctx = {"night": night, "placements": placements, "self_pickup": self_pickup}
    return render(request, "dispatch/host_tonight.html", ctx)


@hub_role_required(Role.HOST)
@require_POST
def host_arrived(request: HubRequest, placement: str):
    night = request.hub.tonight()
    placement = get_object_or_404(Placement, pk=placement, night=night, announced=True, home__host=request.user)
    if placement.arrived_at is None:
        placement.arrived_at = timezone.now()
        placement.save(update_fields=["arrived_at"])
        Party.objects.filter(pk=placement.party_id).update(status=Party.Status.ARRIVED)
    return redirect("host_tonight", hub=request.hub.slug)


@hub_role_required(Role.DRIVER)
def driver_tonight(request: HubRequest):
    night = request.hub.tonight()
    grant = RunSheetGrant.objects.filter(night=night, driver=request.user, revoked_at__isnull=True,
                                         expires_at__gt=timezone.now()).first()
    return render(request, "dispatch/driver_tonight.html", {"night": night, "grant": grant})
