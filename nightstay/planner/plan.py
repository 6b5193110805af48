"""The plan: who goes where, in which car, when; and the rules that time it.

Times are derived, never chosen: ``time_trip`` computes a trip's earliest departure and
arrivals from the format's rules (load at the meeting point, drop, wait outside a host until
``ready_from``), so every producer of plans (the solver, the coordinator's greedy, the web
board's manual moves) gets times a checker agrees with.

A ``Plan`` is frozen once built (tuples, a read-only summary): the plan that was checked is
the plan that is shown and announced, whoever holds it.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any

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


@dataclass(frozen=True)
class Plan:
    """A whole plan, immutable: lists given to it become tuples, its summary a read-only mapping."""

    placements: tuple[Placement, ...] = ()
    unplaced: tuple[str, ...] = ()
    trips: tuple[Trip, ...] = ()
    summary: Mapping[str, Any] = field(default_factory=dict)
    # Not part of the format: what the planner could not do (a fixed placement it could not
    # keep, and why), one line each, for whoever runs it.
    notes: tuple[str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "placements", tuple(self.placements))
        object.__setattr__(self, "unplaced", tuple(self.unplaced))
        object.__setattr__(self, "trips", tuple(self.trips))
        object.__setattr__(self, "notes", tuple(self.notes))
        object.__setattr__(self, "summary", MappingProxyType(dict(self.summary)))

    def summarized(self, night: Night, solve_seconds: float | None) -> Plan:
        """This plan with its summary computed from ``night`` (``solve_seconds`` None: not timed)."""
        return replace(self, summary=summarize(night, self, solve_seconds))

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
            "summary": dict(self.summary),
        }

    def dumps(self) -> str:
        """The plan as JSON text, stable byte for byte for the same plan."""
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, night: Night, doc: Any) -> Plan:
        """The plan a ``nightstay.plan/1`` document describes, for ``night``.

        Meant for documents this package wrote (a proposal kept by the platform): a document
        the checker would call malformed raises ``ValueError``. Trip kilometres are computed
        again from the night, since the format does not carry them.
        """
        try:
            if doc.get("format") != FORMAT:
                raise ValueError(f'format: must be "{FORMAT}"')
            at = datetime.fromisoformat
            placements = [Placement(p["party"], p["place"], at(p["arrive"])) for p in doc["placements"]]
            trips = [_trip_from_json(night, t) for t in doc["trips"]]
            return cls(placements, [str(p) for p in doc["unplaced"]], trips, dict(doc.get("summary") or {}))
        except (AttributeError, KeyError, TypeError, ValueError) as e:
            raise ValueError(f"not a {FORMAT} document for this night: {e!r}") from None


def _trip_from_json(night: Night, t: dict) -> Trip:
    at = datetime.fromisoformat
    stops = tuple(Stop(s["place"], tuple(s["parties"]), at(s["arrive"])) for s in t["stops"])
    places, km = night.places, night.travel.km
    home = {d.id: d.home for d in night.drivers}[t["driver"]]
    here, dist = night.meeting_point, 0.0
    for s in stops:
        dist += km(here, places[s.place].location)
        here = places[s.place].location
    dist += km(here, home if t["end"] == "home" else night.meeting_point)
    return Trip(t["driver"], at(t["depart"]), stops, t["end"], at(t["end_at"]), dist)


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


def summarize(night: Night, plan: Plan, solve_seconds: float | None) -> dict:
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
        "solve_seconds": None if solve_seconds is None else round(solve_seconds, 3),
    })
    return summary


def announced_changed(night: Night, where: dict) -> int:
    """Announced parties not at their announced place (moved elsewhere or left out)."""
    return sum(1 for a in night.announced or () if where.get(a.party) != a.place)
