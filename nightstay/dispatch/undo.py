"""Ten seconds to take back a tap: "Departed", "Dropped" and "They arrived" act on one tap
(a driver with one hand on the wheel, a host at the door), so each can be undone for a short
while, by the same person on the same page. After that the tap stands: the board and the
night's counts have been told, and a late undo would contradict what others already saw.

The page shows an "Undo" button while the window is open (site.css hides it when it closes);
the server checks the window again, so a stale button changes nothing. An undo also takes the
tap's line off the night's timeline (``NightEvent``) and tells the live pages (``Night.changed``).
"""
from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from nightstay.hubs.access import HubRequest, hub_role_required
from nightstay.hubs.models import NightEvent, Role
from nightstay.intake.models import Party
from nightstay.planning.models import Placement, Stop, Trip

from .models import RunSheetGrant
from .sheets import _marked, run_sheet_link, undo_since


def _taken_back(night, kind: str, driver) -> None:
    """The timeline forgets the undone tap (its latest line, still inside the window)."""
    event = NightEvent.objects.filter(night=night, kind=kind, driver=driver, at__gt=undo_since()).order_by("-at").first()
    if event is not None:
        event.delete()
    night.changed()


@require_POST
@run_sheet_link
def undo_departed(request, grant: RunSheetGrant, token: str, trip: str):
    """Not left after all: only while no stop of the trip is dropped."""
    trip = get_object_or_404(Trip, pk=trip, night=grant.night, driver=grant.driver)
    with transaction.atomic():
        taken = Trip.objects.filter(pk=trip.pk, departed_at__gt=undo_since()).exclude(
            stops__dropped_at__isnull=False).update(departed_at=None)
        if taken:
            Party.objects.filter(placement__stop__trip=trip, status=Party.Status.ON_THE_WAY).update(
                status=Party.Status.PLACED)
            _taken_back(grant.night, NightEvent.Kind.DEPARTED, grant.driver)
    return _marked(request, grant, token)


@require_POST
@run_sheet_link
def undo_dropped(request, grant: RunSheetGrant, token: str, stop: str):
    """Not dropped after all: the stop is the driver's current one again, its address shown."""
    stop = get_object_or_404(Stop, pk=stop, trip__night=grant.night, trip__driver=grant.driver)
    later = Stop.objects.filter(trip__night=grant.night, trip__driver=grant.driver, dropped_at__gt=stop.dropped_at) \
        if stop.dropped_at else Stop.objects.none()
    if not later.exists():
        with transaction.atomic():
            if Stop.objects.filter(pk=stop.pk, dropped_at__gt=undo_since()).update(dropped_at=None):
                here = Placement.objects.filter(stop=stop, party__status=Party.Status.ARRIVED)
                Party.objects.filter(placement__in=here).update(status=Party.Status.ON_THE_WAY)
                here.update(arrived_at=None)
                _taken_back(grant.night, NightEvent.Kind.DROPPED, grant.driver)
    return _marked(request, grant, token)


@hub_role_required(Role.HOST)
@require_POST
def undo_arrived(request: HubRequest, placement: str):
    """Not arrived after all: the party is on its way again (or placed, if nobody drives it)."""
    night = request.hub.tonight()
    placement = get_object_or_404(Placement.objects.select_related("stop__trip"), pk=placement, night=night,
                                  announced=True, home__host=request.user)
    with transaction.atomic():
        if Placement.objects.filter(pk=placement.pk, arrived_at__gt=undo_since()).update(arrived_at=None):
            driving = placement.stop is not None and placement.stop.trip.departed_at is not None
            Party.objects.filter(pk=placement.party_id, status=Party.Status.ARRIVED).update(
                status=Party.Status.ON_THE_WAY if driving else Party.Status.PLACED)
            night.changed()
    return redirect("host_tonight", hub=request.hub.slug)
