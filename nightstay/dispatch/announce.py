"""Coordinators' decisions on the proposal, decided by the database.

Two coordinators may tap at the same moment in the park (the last bed, the same party).
Every change here runs in one transaction that first locks the night's row, so the second
one waits, then sees the first one's result and is judged on it: a host is never over-full
and a party never placed twice (one placement per party is also a database constraint).

- ``pin``: keep a party where the proposal puts it, through any re-planning.
- ``move_party``: put a party somewhere else (checked by the same rules as any plan); a
  moved party is pinned there.
- ``announce``: the proposal becomes tonight's dispatch: placements, trips, stops, a
  run-sheet link per driver, and the parties are told where they go.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nightstay.hubs.models import Night
from nightstay.intake.models import Party
from nightstay.planner import Violation, read_night

from . import nightfile, planning
from .models import Placement, PlanRun, RunSheetGrant, Stop, Trip
from .moves import MoveRefused, move


class Refused(Exception):
    """A coordinator's action that the rules or the night's state refuse.

    Why: a message in the coordinator's language, or the planner's ``problems`` (codes and
    values) that the board says in words (``proposal.Proposal.readable``).
    """

    def __init__(self, message: str = "", problems: tuple[Violation, ...] = ()):
        super().__init__(message or "; ".join(p.message for p in problems))
        self.problems = tuple(problems)


def _locked_proposal(night: Night) -> tuple[Night, PlanRun]:
    night = Night.objects.select_for_update().select_related("hub").get(pk=night.pk)
    run = planning.proposal(night)
    if run is None:
        raise Refused(_("there is no plan yet"))
    return night, run


def _placement_in(plan: dict, ticket: str) -> dict | None:
    return next((p for p in plan["placements"] if p["party"] == ticket), None)


def _pin(night: Night, ids: nightfile.Ids, ticket: str, place_id: str) -> Placement:
    party = ids.parties.get(ticket)
    place = ids.place(place_id)
    if party is None or place is None:
        raise Refused(_("this party or place is gone since the plan was made"))
    placement = Placement.objects.filter(party=party).first()
    if placement and placement.announced and nightfile.place_id(placement) != place_id:
        # Moved after the announcement: not announced here until the next "Announce".
        placement.announced, placement.stop = False, None
    placement = placement or Placement(party=party)
    placement.night = night
    placement.pinned = True
    for field, value in ids.where(place_id).items():
        setattr(placement, field, value)
    placement.save()
    return placement


def pin(night: Night, ticket: str) -> None:
    """Keep ``ticket``'s party where the proposal puts it."""
    with transaction.atomic():
        night, run = _locked_proposal(night)
        placed = _placement_in(run.plan_json, ticket)
        if placed is None:
            raise Refused(_("this party has no place in the plan to keep"))
        _pin(night, nightfile.rows(night, run.night_json), ticket, placed["place"])


def move_party(night: Night, ticket: str, place_id: str | None, user) -> PlanRun:
    """A new proposal with ``ticket``'s party at ``place_id`` (None: taken out), pinned there."""
    with transaction.atomic():
        night, run = _locked_proposal(night)
        ids = nightfile.rows(night, run.night_json)
        party = ids.parties.get(ticket)
        if party is None or party.status not in nightfile.IN_THE_PARK:
            raise Refused(_("this party is no longer waiting"))
        if place_id is not None:
            _check_beds(night, run, ids, party, place_id)
        # The party's own pin gives way to the coordinator's hand; every other pin still holds.
        doc = {**run.night_json, "fixed": [f for f in run.night_json.get("fixed", []) if f["party"] != ticket]}
        try:
            plan = move(read_night(doc), run.plan_json, ticket, place_id)
        except MoveRefused as exc:
            raise Refused(problems=exc.problems) from None
        if place_id is None:
            Placement.objects.filter(party=party).delete()
        else:
            _pin(night, ids, ticket, place_id)
            doc["fixed"].append({"party": ticket, "place": place_id})
        return PlanRun.objects.create(night=night, created_by=user, status=PlanRun.Status.DONE,
                                      night_json=doc, plan_json=plan)


def _check_beds(night: Night, run: PlanRun, ids: nightfile.Ids, party: Party, place_id: str) -> None:
    """The database's word on beds: pinned and announced guests already there, and this party."""
    places = (*run.night_json["hosts"], *run.night_json["shelters"])
    beds = next((p["beds"] for p in places if p["id"] == place_id), None)
    if beds is None or ids.place(place_id) is None:
        raise Refused(_("this place offers nothing tonight"))
    there = (Placement.objects.filter(night=night, **ids.where(place_id), party__status__in=nightfile.IN_THE_PARK)
             .exclude(party=party).values_list("party__size", flat=True))
    if sum(there) + party.size > beds:
        raise Refused(problems=(Violation("over_capacity", {"place": place_id, "n": sum(there) + party.size,
                                                            "beds": beds}),))


def announce(night: Night) -> Night:
    """The proposal becomes tonight's dispatch, in one transaction."""
    with transaction.atomic():
        night, run = _locked_proposal(night)
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
    Trip.objects.bulk_create(trips)
    Stop.objects.bulk_create(stops)
    live = set(RunSheetGrant.objects.filter(night=night, revoked_at__isnull=True, expires_at__gt=timezone.now())
               .values_list("driver", flat=True))
    for driver in drivers:
        if driver.pk not in live:
            RunSheetGrant.issue(night, driver)
    return stop_of
