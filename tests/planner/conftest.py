"""Tiny named nights for the solver, each small enough to know its best plan by heart.

Every fixture returns a fresh nightstay.night/1 document; its docstring says what the best
plan is and why, and ``test_solve.py`` checks that ``solve`` finds a plan scoring exactly as
well. Times are on the evening of Monday 15 January 2018 (Brussels, +01:00).
"""
from __future__ import annotations

import pytest

PARK = {"lat": 50.8572, "lon": 4.3520}
DAY, NEXT = "2018-01-15T", "2018-01-16T"


def at(hhmm: str) -> str:
    return f"{NEXT if hhmm < '12:00' else DAY}{hhmm}:00+01:00"


def party(pid, *, size=1, gender="m", minor=False, vulnerable=False, waits="20:30", out=0, back=None, langs=()):
    return {"id": pid, "size": size, "gender": gender, "minor": minor, "vulnerable": vulnerable,
            "languages": list(langs), "waiting_since": at(waits), "returning_to": back, "nights_outside": out}


def host(hid, *, km_east=2.0, beds=1, pickup="self", genders=("m", "f", "mixed"), minors=True, max_party=4,
         ready="21:00", latest="23:59", back=False, langs=()):
    """A host ``km_east`` great-circle kilometres east of the park."""
    return {"id": hid, "location": {"lat": PARK["lat"], "lon": PARK["lon"] + km_east / 70.3}, "beds": beds,
            "pickup": pickup, "accepts": {"genders": list(genders), "minors": minors, "max_party": max_party},
            "languages": list(langs), "ready_from": at(ready), "latest_arrival": at(latest), "welcomes_back": back}


def dormitory(beds, *, km_north=0.87, genders=("m",)):
    return {"id": "S1", "name": "Dormitory", "location": {"lat": PARK["lat"] + km_north / 111.2, "lon": PARK["lon"]},
            "beds": beds, "reach": "walk", "accepts": {"genders": list(genders), "minors": False}}


def driver(did, *, seats=4, since="21:00", until="23:59"):
    return {"id": did, "seats": seats, "home": {"lat": PARK["lat"] - 0.01, "lon": PARK["lon"]},
            "available_from": at(since), "available_until": at(until)}


def night(parties=(), hosts=(), shelters=(), drivers=(), fixed=()):
    return {
        "format": "nightstay.night/1",
        "hub": {"name": "Maximilien Park", "meeting_point": dict(PARK)},
        "window": {"start": at("21:00"), "end": at("01:00")},
        "travel": {"model": "haversine", "road_factor": 1.3, "drive_kmh": 30, "walk_kmh": 4.5,
                   "board_minutes": 5, "drop_minutes": 3},
        "parties": list(parties), "shelters": list(shelters), "hosts": list(hosts), "drivers": list(drivers),
        "fixed": list(fixed),
    }


@pytest.fixture
def one_bed_two_parties():
    """One self host, one bed; a man who slept outside five nights and a vulnerable woman.

    Best: the woman gets the bed (vulnerable people come before anything else), the man
    stays out: 1 vulnerable sheltered, 1 sheltered, rotation 0.
    """
    return night([party("man", out=5), party("woman", gender="f", vulnerable=True)], [host("H1")])


@pytest.fixture
def mixed_host():
    """A self host with two beds; a woman alone and a man, neither vulnerable.

    The woman and the man cannot share the host, so one of them stays out. Best: the woman,
    who slept outside twice (rotation 2 against 0): 1 sheltered, rotation 2.
    """
    return night([party("man"), party("woman", gender="f", out=2)], [host("H1", beds=2)])


@pytest.fixture
def late_waiter():
    """A self host 7 km away (three beds, leaves 21:00) and a one-bed dormitory; two men.

    ``early`` waits since 20:30, ``late`` comes at 23:00. Both get a bed either way, but the
    host leaves when its last guest is there: with ``late`` aboard everybody arrives after
    23:23. Best: ``early`` with the host (21:23), ``late`` walks to the dormitory (23:15):
    last arrival 23:15.
    """
    return night([party("early"), party("late", waits="23:00")], [host("H1", km_east=7.0, beds=3)],
                 shelters=[dormitory(1)])


@pytest.fixture
def two_trips():
    """Four men, a driver host with four beds, one driver with a two-seat car.

    Best: everyone sheltered, which takes two trips (two seats each); the second trip
    starts when the driver is back at the park.
    """
    return night([party(f"m{k}") for k in range(4)], [host("H1", pickup="driver", beds=4)],
                 drivers=[driver("D1", seats=2)])


@pytest.fixture
def returning():
    """Two self hosts with one bed each; ``guest`` stayed with the farther one, ``far``, before.

    Best: ``guest`` goes back to ``far`` (returning wishes come before arrival times) and
    ``other`` takes the nearer bed: 2 sheltered, 1 returning honoured.
    """
    return night([party("guest", back="far"), party("other")],
                 [host("near", km_east=1.0), host("far", km_east=9.0, back=True)])


@pytest.fixture
def fixed_far():
    """``guest`` was promised the far host; a nearer bed is free. Best: the promise is kept."""
    return night([party("guest")], [host("near", km_east=1.0), host("far", km_east=9.0)],
                 fixed=[{"party": "guest", "place": "far"}])


@pytest.fixture
def vulnerable_needs_the_car():
    """One driver with a one-seat car and time for a single trip; two parties want it.

    A vulnerable woman and a man who slept outside seven nights, a driver host for each, and
    the driver must be home by 21:30. Best: the woman rides: 1 vulnerable sheltered.
    """
    return night([party("man", out=7), party("woman", gender="f", vulnerable=True, waits="20:00")],
                 [host("Hm", pickup="driver", km_east=3.0, genders=("m",)),
                  host("Hf", pickup="driver", km_east=3.0, genders=("f",))],
                 drivers=[driver("D1", seats=1, until="21:30")])


@pytest.fixture
def packing():
    """A woman alone who comes late and a family of three, both vulnerable; two self hosts.

    ``near`` has three beds, ``far`` one. Taken one at a time, the woman (who slept outside
    more) would go to ``near``, sooner for her, and leave the family no host big enough.
    Best: the woman goes to ``far`` and the family to ``near``: 4 vulnerable people sheltered.
    """
    return night([party("woman", gender="f", vulnerable=True, waits="23:00", out=5),
                  party("family", size=3, gender="mixed", minor=True, vulnerable=True, waits="20:00")],
                 [host("near", beds=3, km_east=1.0), host("far", beds=1, km_east=9.0)])
