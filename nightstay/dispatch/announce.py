"""The announcement: the proposal becomes tonight's dispatch, decided by the database.

Placements, trips, stops, a run-sheet link per driver, and the parties are told where they
go, in one transaction that first locks the night's row like a coordinator's pin or move
(``nightstay.planning.pins``), so an announcement and a move never cross.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nightstay.hubs.models import Night
from nightstay.intake.models import Party
from nightstay.planner.read import read_night
from nightstay.planning import events, nightfile
from nightstay.planning.models import Placement, Stop, Trip
from nightstay.planning.pins import Refused, locked_proposal

from .models import RunSheetGrant


def announce(night: Night, by=None) -> Night:
    """The proposal becomes tonight's dispatch, in one transaction; it takes every open alert
    (``events.decided``) and tells the live pages."""
    with transaction.atomic():
        night, run = locked_proposal(night)
        plan, doc = run.plan_json, run.night_json
        ids = nightfile.rows(night, doc)
        if len(ids.homes) < len(doc["hosts"]) or len(ids.drivers) < len(doc["drivers"]):
            raise Refused(_("A host or driver left since this plan was made: plan again."))
        night.trips.filter(departed_at__isnull=True).delete()
        stops = _write_trips(night, plan, ids, read_night(doc))
        placed = _write_placements(night, plan, ids, stops)
        Placement.objects.filter(night=night, party__ticket__in=plan["unplaced"]).delete()
        Party.objects.filter(night=night, ticket__in=placed, status=Party.Status.WAITING).update(
            status=Party.Status.PLACED)
        Party.objects.filter(night=night, ticket__in=plan["unplaced"], status=Party.Status.PLACED).update(
            status=Party.Status.WAITING)
        night.status = Night.Status.ANNOUNCED
        night.save(update_fields=["status"])
        events.decided(night, by=by)
    return night


def _write_placements(night: Night, plan: dict, ids: nightfile.Ids, stops: dict) -> list[str]:
    """One announced placement per party still in the park, in a few queries; the tickets placed."""
    existing = {p.party_id: p for p in Placement.objects.filter(night=night)}
    new, changed, placed = [], [], []
    for p in plan["placements"]:
        party = ids.parties.get(p["party"])
        if party is None or party.status not in nightfile.IN_THE_PARK:
            continue  # left the park since the plan was made
        row = existing.get(party.pk)
        if row is None:
            row = Placement(night=night, party=party)
            new.append(row)
        else:
            changed.append(row)
        for field, value in ids.where(p["place"]).items():
            setattr(row, field, value)
        row.stop, row.announced, row.arrive = stops.get(p["party"]), True, datetime.fromisoformat(p["arrive"])
        placed.append(p["party"])
    Placement.objects.bulk_create(new)
    Placement.objects.bulk_update(changed, ["home", "shelter", "stop", "announced", "arrive"])
    return placed


def _write_trips(night: Night, plan: dict, ids: nightfile.Ids, model) -> dict[str, Stop]:
    """Trips and stops of the plan, a run-sheet link for each driver who has none; each ticket's stop."""
    travel, meeting = model.travel, model.meeting_point
    locations = {p.id: p.location for p in model.places.values()}
    homes = {d.id: d.home for d in model.drivers}
    seq = defaultdict(int)
    for driver_pk, n in night.trips.values_list("driver", "seq"):
        seq[driver_pk] = max(seq[driver_pk], n)
    drivers, trips, stops, stop_of = set(), [], [], {}
    for t in plan["trips"]:
        driver = ids.drivers[t["driver"]].driver
        seq[driver.pk] += 1
        here, km = meeting, 0.0
        for s in t["stops"]:
            km += travel.km(here, locations[s["place"]])
            here = locations[s["place"]]
        km += travel.km(here, homes[t["driver"]] if t["end"] == "home" else meeting)
        trip = Trip(night=night, driver=driver, seq=seq[driver.pk], end=t["end"], km=round(km, 1),
                    depart=datetime.fromisoformat(t["depart"]), end_at=datetime.fromisoformat(t["end_at"]))
        trips.append(trip)
        for order, s in enumerate(t["stops"], 1):
            stop = Stop(trip=trip, order=order, **ids.where(s["place"]), arrive=datetime.fromisoformat(s["arrive"]))
            stops.append(stop)
            stop_of.update({ticket: stop for ticket in s["parties"]})
        drivers.add(driver)
    for trip in night.trips.filter(departed_at__isnull=False, end="home", driver__in=drivers).select_related(
            "night__hub"):
        # Called back: the run sheet's "then home" becomes "then back to the park" at the time
        # the planner counted on (the lateness they reported stays on top, as for any trip).
        late = events.late_minutes(night, trip.driver_id, trip.departed_at)
        back, more_km = nightfile.call_back(trip, model.start, late)
        Trip.objects.filter(pk=trip.pk).update(end="meeting_point", end_at=max(back, model.start),
                                               km=round(trip.km + more_km, 1))
    Trip.objects.bulk_create(trips)
    Stop.objects.bulk_create(stops)
    live = set(RunSheetGrant.objects.filter(night=night, revoked_at__isnull=True, expires_at__gt=timezone.now())
               .values_list("driver", flat=True))
    for driver in drivers:
        if driver.pk not in live:
            RunSheetGrant.issue(night, driver)
    return stop_of
