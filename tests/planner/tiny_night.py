"""``tiny``: a night small enough to hold in one's head, and a plan for it built by hand.

Maximilien Park, 15 January 2018, 21:00 to 01:00. Five parties (eight people):

- P1, a man who slept outside two of the last seven nights, and P5, a man who came late:
  both walk to the dormitory S1 (men only, three beds, a quarter of an hour on foot);
- P4, two men who slept outside five nights: H2 fetches them itself (``self`` host);
- P2, a family of three with a child, vulnerable, who stayed with H1 before: D1 drives
  them to H1, which is ready from 21:30;
- P3, a woman alone, vulnerable, speaking Tigrinya: D2 drives her to the women's shelter S2.

Every party gets a bed; tests mutate ``tiny_plan()`` to break one rule at a time.
"""
from __future__ import annotations

import copy

from nightstay.planner.plan import Placement, Plan, Stop, Trip, self_pickup_arrival, time_trip, walk_arrival

_NIGHT = {
    "format": "nightstay.night/1",
    "hub": {"name": "Maximilien Park", "meeting_point": {"lat": 50.8617, "lon": 4.3533}},
    "window": {"start": "2018-01-15T21:00:00+01:00", "end": "2018-01-16T01:00:00+01:00"},
    "travel": {"model": "haversine", "road_factor": 1.3, "drive_kmh": 30, "walk_kmh": 4.5,
               "board_minutes": 5, "drop_minutes": 3},
    "parties": [
        {"id": "P1", "size": 1, "gender": "m", "minor": False, "vulnerable": False, "languages": ["ar"],
         "waiting_since": "2018-01-15T20:30:00+01:00", "returning_to": None, "nights_outside": 2},
        {"id": "P2", "size": 3, "gender": "mixed", "minor": True, "vulnerable": True, "languages": ["ar", "en"],
         "waiting_since": "2018-01-15T21:10:00+01:00", "returning_to": "H1", "nights_outside": 1},
        {"id": "P3", "size": 1, "gender": "f", "minor": False, "vulnerable": True, "languages": ["ti"],
         "waiting_since": "2018-01-15T21:00:00+01:00", "returning_to": None, "nights_outside": 0},
        {"id": "P4", "size": 2, "gender": "m", "minor": False, "vulnerable": False, "languages": ["en"],
         "waiting_since": "2018-01-15T21:20:00+01:00", "returning_to": None, "nights_outside": 5},
        {"id": "P5", "size": 1, "gender": "m", "minor": False, "vulnerable": False, "languages": [],
         "waiting_since": "2018-01-15T22:00:00+01:00", "returning_to": None, "nights_outside": 0},
    ],
    "shelters": [
        {"id": "S1", "name": "Dormitory", "location": {"lat": 50.8668, "lon": 4.3622}, "beds": 3,
         "reach": "walk", "accepts": {"genders": ["m"], "minors": False}},
        {"id": "S2", "name": "Women's shelter", "location": {"lat": 50.8676, "lon": 4.3780}, "beds": 2,
         "reach": "drive", "accepts": {"genders": ["f", "mixed"], "minors": True}},
    ],
    "hosts": [
        {"id": "H1", "location": {"lat": 50.8350, "lon": 4.3300}, "beds": 4, "pickup": "driver",
         "accepts": {"genders": ["f", "mixed"], "minors": True, "max_party": 4}, "languages": ["fr", "en"],
         "ready_from": "2018-01-15T21:30:00+01:00", "latest_arrival": "2018-01-15T23:30:00+01:00",
         "welcomes_back": True},
        {"id": "H2", "location": {"lat": 50.8800, "lon": 4.3100}, "beds": 2, "pickup": "self",
         "accepts": {"genders": ["m"], "minors": False, "max_party": 2}, "languages": [],
         "ready_from": "2018-01-15T21:15:00+01:00", "latest_arrival": "2018-01-15T23:00:00+01:00",
         "welcomes_back": False},
    ],
    "drivers": [
        {"id": "D1", "seats": 4, "home": {"lat": 50.8460, "lon": 4.3900},
         "available_from": "2018-01-15T21:00:00+01:00", "available_until": "2018-01-16T00:30:00+01:00"},
        {"id": "D2", "seats": 3, "home": {"lat": 50.8200, "lon": 4.3600},
         "available_from": "2018-01-15T21:30:00+01:00", "available_until": "2018-01-15T23:30:00+01:00"},
    ],
    "fixed": [{"party": "P3", "place": "S2"}],
}


def tiny_night() -> dict:
    """A fresh copy of the tiny night document, free to mutate."""
    return copy.deepcopy(_NIGHT)


def tiny_plan() -> dict:
    """A valid plan for ``tiny_night()`` that shelters everyone, timed by ``plan.py``'s rules."""
    from nightstay.planner.read import read_night

    night = read_night(tiny_night())
    parties, places = night.party_by_id, night.places
    drivers = {d.id: d for d in night.drivers}
    placements = [
        Placement(pid, "S1", night.at(walk_arrival(night, parties[pid], places["S1"]))) for pid in ("P1", "P5")
    ]
    placements.append(Placement("P4", "H2", night.at(self_pickup_arrival(night, places["H2"], [parties["P4"]]))))
    trips = []
    for did, pid, place, end in (("D1", "P2", "H1", "home"), ("D2", "P3", "S2", "meeting_point")):
        d = drivers[did]
        timed = time_trip(night, night.seconds(d.available_from), night.seconds(d.available_until), d.home,
                          [(places[place], [parties[pid]])], end)
        assert timed.ok
        arrive = night.at(timed.arrivals[0])
        trips.append(Trip(did, night.at(timed.depart), (Stop(place, (pid,), arrive),), end, night.at(timed.end_at),
                          timed.km))
        placements.append(Placement(pid, place, arrive))
    return Plan(placements=placements, unplaced=[], trips=trips).summarized(night, solve_seconds=0.0).to_json()
