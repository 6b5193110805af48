"""What must hold of a night at every moment, whatever happened: the rehearsal's checks.

Each check reads the night's rows as run sheets and host notices show them, and says in one
line what is broken: a run sheet no car could follow, a host with more guests than beds or
with single men and women or families together, a party in two places.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta

from django.utils.timezone import localtime

from nightstay.hubs.models import Night, NightEvent
from nightstay.intake.models import Party
from nightstay.planning.models import Placement, Trip
from nightstay.pledges.models import BedPledge

SLACK = timedelta(seconds=60)  # the format's rounding slack per leg


def check(night: Night, now: datetime, fresh: bool = False) -> list[str]:
    """Every broken invariant of ``night`` at ``now``; ``fresh``: trips were just announced, so
    none still to leave may leave in the past."""
    return [*_run_sheets(night, now, fresh), *_hosts(night), *_parties(night)]


def _late(night: Night) -> dict:
    late = defaultdict(list)
    for driver, at, minutes in NightEvent.objects.filter(night=night, kind=NightEvent.Kind.DRIVER_LATE).values_list(
            "driver", "at", "minutes"):
        late[driver].append((at, minutes))
    return late


def _run_sheets(night: Night, now: datetime, fresh: bool) -> list[str]:
    broken = []
    late = _late(night)
    trips = defaultdict(list)
    for trip in Trip.objects.filter(night=night).order_by("driver", "seq"):
        trips[trip.driver_id].append(trip)
    for driver, rows in trips.items():
        for before, after in zip(rows, rows[1:]):
            back = before.end_at
            if before.departed_at is not None:
                back += timedelta(minutes=sum(m for at, m in late[driver] if at >= before.departed_at))
            if before.end == "home":
                broken.append(f"run sheet: trip {after.seq} after trip {before.seq} that ends at home")
            if after.depart < before.depart:
                broken.append(f"run sheet: trip {after.seq} leaves {localtime(after.depart):%H:%M}, "
                              f"before trip {before.seq}")
            elif after.departed_at is None and after.depart + SLACK < back:
                broken.append(f"run sheet: trip {after.seq} leaves {localtime(after.depart):%H:%M} before trip {before.seq} "
                              f"is back ({localtime(back):%H:%M})")
        if fresh:
            for trip in rows:
                if trip.departed_at is None and trip.depart + SLACK < now:
                    broken.append(f"run sheet: trip {trip.seq} leaves {localtime(trip.depart):%H:%M}, "
                                  f"in the past ({localtime(now):%H:%M})")
    return broken


def _hosts(night: Night) -> list[str]:
    broken = []
    beds = {p.home_id: p.beds for p in BedPledge.objects.filter(home__hub=night.hub)}
    people, kinds = Counter(), defaultdict(set)
    rows = Placement.objects.filter(night=night).exclude(party__status=Party.Status.LEFT).values_list(
        "home", "shelter", "party__size", "party__gender")
    shelter_people = Counter()
    for home, shelter, size, gender in rows:
        if home:
            people[home] += size
            kinds[home].add("m" if gender == "m" else "fm")
        else:
            shelter_people[shelter] += size
    for home, n in people.items():
        if n > beds.get(home, 0):
            broken.append(f"host over-full: {n} people for {beds.get(home, 0)} beds")
        if len(kinds[home]) > 1:
            broken.append("host receives single men with women or families")
    for shelter in night.hub.shelters.all():
        if shelter_people[shelter.pk] > shelter.beds:
            broken.append(f"{shelter.name} over-full: {shelter_people[shelter.pk]} for {shelter.beds} beds")
    return broken


def _parties(night: Night) -> list[str]:
    broken = []
    rows = Placement.objects.filter(night=night).select_related("party", "stop")
    seen = Counter(p.party_id for p in rows)
    broken += [f"party placed {n} times" for n in seen.values() if n > 1]
    for p in rows:
        if p.party.status == Party.Status.LEFT:
            broken.append(f"party {p.party.ticket} left but is still placed")
        if p.stop is not None and (p.stop.home_id != p.home_id or p.stop.shelter_id != p.shelter_id):
            broken.append(f"party {p.party.ticket} is driven somewhere else than its place")
    return broken


def kept_or_shown(before: dict, after: dict, shown: set[str]) -> list[str]:
    """Every announced party is kept, or was shown as changed before the announcement."""
    return [f"party {t} moved without being shown" for t, (place, *_rest) in before.items()
            if after.get(t, ("",))[0] != place and t not in shown]
