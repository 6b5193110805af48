"""The plan: who goes where, in which car, when; and the rules that time it.

Times are derived, never chosen: ``time_trip`` computes a trip's earliest departure and
arrivals from the format's rules (load at the meeting point, drop, wait outside a host until
``ready_from``), so every producer of plans (the solver, the coordinator's greedy, the web
board's manual moves) gets times a checker agrees with.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from .night import Host, Night, Party, Shelter

FORMAT = "nightstay.plan/1"


@dataclass(frozen=True)
class Placement:
    party: str
    place: str
    arrive: datetime


@dataclass(frozen=True)
class Stop:
    place: str
    parties: tuple[str, ...]
    arrive: datetime


@dataclass(frozen=True)
class Trip:
    driver: str
    depart: datetime
    stops: tuple[Stop, ...]
    end: str  # "meeting_point" or "home"
    end_at: datetime
    km: float  # kilometres driven on this trip, including the leg to its end


@dataclass
class Plan:
    placements: list[Placement] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)
    trips: list[Trip] = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    # Not part of the format: what the planner could not do (a fixed placement it could not
    # keep, and why), one line each, for whoever runs it.
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "format": FORMAT,
            "placements": [
                {"party": p.party, "place": p.place, "arrive": p.arrive.isoformat()} for p in self.placements
            ],
            "unplaced": list(self.unplaced),
            "trips": [
                {
                    "driver": t.driver,
                    "depart": t.depart.isoformat(),
                    "stops": [
                        {"place": s.place, "parties": list(s.parties), "arrive": s.arrive.isoformat()} for s in t.stops
                    ],
                    "end": t.end,
                    "end_at": t.end_at.isoformat(),
                }
                for t in self.trips
            ],
            "summary": self.summary,
        }

    def dumps(self) -> str:
        """The plan as JSON text, stable byte for byte for the same plan."""
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"


def walk_arrival(night: Night, party: Party, shelter: Shelter) -> float:
    """Seconds (from window start) at which ``party`` reaches a walk shelter."""
    leave = max(0.0, night.seconds(party.waiting_since))
    return leave + night.travel.walk_seconds(night.meeting_point, shelter.location)


def self_pickup_arrival(night: Night, host: Host, guests: list[Party]) -> float:
    """Seconds at which a ``self`` host reaches home with all of its guests tonight."""
    leave = max([0.0, night.seconds(host.ready_from)] + [night.seconds(p.waiting_since) for p in guests])
    return leave + night.travel.board_seconds + night.travel.drive_seconds(night.meeting_point, host.location)


@dataclass(frozen=True)
class TimedTrip:
    """A trip timed in seconds from window start; ``ok`` is False when a deadline is broken."""

    depart: float
    arrivals: tuple[float, ...]
    end_at: float
    km: float
    ok: bool


def time_trip(night: Night, driver_free: float, until: float, home, stops: list[tuple[Host | Shelter, list[Party]]],
              end: str) -> TimedTrip:
    """Time one trip from the meeting point by the format's rules.

    ``driver_free`` is when the driver is at the meeting point (seconds from window start),
    ``until`` the driver's ``available_until`` in the same clock, ``home`` the driver's home.
    """
    tr = night.travel
    latest_wait = max([0.0] + [night.seconds(p.waiting_since) for _, ps in stops for p in ps])
    t = max(driver_free, latest_wait, 0.0) + tr.board_seconds
    depart = t
    here = night.meeting_point
    km = 0.0
    ok = True
    window_end = night.seconds(night.end)
    arrivals = []
    for place, _ in stops:
        km += tr.km(here, place.location)
        arrive = t + tr.drive_seconds(here, place.location)
        latest = window_end
        if isinstance(place, Host):
            arrive = max(arrive, night.seconds(place.ready_from))
            latest = min(latest, night.seconds(place.latest_arrival))
        if arrive > latest:
            ok = False
        arrivals.append(arrive)
        here, t = place.location, arrive + tr.drop_seconds
    dest = home if end == "home" else night.meeting_point
    km += tr.km(here, dest)
    end_at = t + tr.drive_seconds(here, dest)
    if end_at > until:
        ok = False
    return TimedTrip(depart, tuple(arrivals), end_at, km, ok)


def summarize(night: Night, plan: Plan, solve_seconds: float) -> dict:
    """The plan's ``summary``: what NIGHT-FORMAT.md ranks plans by, true of the plan."""
    parties = night.party_by_id
    placed = [(parties[p.party], p) for p in plan.placements]
    km = sum(t.km for t in plan.trips)
    drivers = {d.id: d for d in night.drivers}
    last_trip = {}
    for t in plan.trips:
        last_trip[t.driver] = t
    for did, t in last_trip.items():
        if t.end == "meeting_point":
            km += night.travel.km(night.meeting_point, drivers[did].home)
    last = max((p.arrive for _, p in placed), default=None)
    summary = {
        "people": night.people,
        "sheltered": sum(q.size for q, _ in placed),
        "vulnerable_sheltered": sum(q.size for q, _ in placed if q.vulnerable),
        "rotation": sum(q.size * q.nights_outside for q, _ in placed),
        "returning_honoured": sum(1 for q, p in placed if q.returning_to == p.place),
    }
    if night.announced is not None:  # only a night planned again counts changes
        summary["announced_changed"] = announced_changed(night, {p.party: p.place for p in plan.placements})
    summary.update({
        "last_arrival": last.isoformat() if last else None,
        "driver_km": round(km, 1),
        "solve_seconds": round(solve_seconds, 3),
    })
    return summary


def announced_changed(night: Night, where: dict) -> int:
    """Announced parties not at their announced place (moved elsewhere or left out)."""
    return sum(1 for a in night.announced or () if where.get(a.party) != a.place)
