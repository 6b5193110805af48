"""Demo nights: valid, calibrated on the Brussels figures, and a pure function of their seed."""
from __future__ import annotations

import json
from datetime import datetime

import pytest

from nightstay.planner.demo import SCENARIO_SPECS, SCENARIOS, make_night
from nightstay.planner.read import read_night

SEEDS = (0, 1, 2)


@pytest.fixture(scope="module", params=sorted(SCENARIOS))
def nights(request):
    return request.param, [make_night(request.param, seed) for seed in SEEDS]


def test_every_scenario_is_described():
    assert set(SCENARIOS) == {"normal", "winter", "host-shortage", "few-drivers", "far-hosts", "small-hub"}
    assert all(len(text) > 20 for text in SCENARIOS.values())


def test_nights_pass_the_reader(nights):
    _, docs = nights
    for doc in docs:
        night = read_night(doc)
        assert night.parties and night.hosts and night.drivers


def test_nights_stay_within_their_scenario(nights):
    name, docs = nights
    spec = SCENARIO_SPECS[name]
    for doc in docs:
        people = sum(p["size"] for p in doc["parties"])
        assert spec.people[0] <= people <= spec.people[1]
        assert spec.hosts[0] <= len(doc["hosts"]) <= spec.hosts[1]
        assert spec.drivers[0] <= len(doc["drivers"]) <= spec.drivers[1]
        self_share = sum(h["pickup"] == "self" for h in doc["hosts"]) / len(doc["hosts"])
        assert 0.2 <= self_share <= (0.75 if name == "far-hosts" else 0.55)
        walk = [s for s in doc["shelters"] if s["reach"] == "walk"]
        if spec.dormitory_beds:
            assert [s["beds"] for s in walk] == [120]
            assert walk[0]["accepts"] == {"genders": ["m"], "minors": False}
        else:
            assert walk == []
        assert all(1 <= h["beds"] <= 10 for h in doc["hosts"])
        assert all(3 <= d["seats"] <= 6 or d["seats"] == 2 for d in doc["drivers"])


def test_brussels_nights_are_mostly_single_men_some_returning():
    doc = make_night("normal", 7)
    parties = doc["parties"]
    men_alone = sum(p["gender"] == "m" and p["size"] == 1 and not p["minor"] for p in parties)
    assert men_alone / len(parties) > 0.6
    assert any(p["gender"] == "mixed" and p["minor"] for p in parties)
    assert any(p["gender"] == "f" and p["vulnerable"] for p in parties)
    returning = [p for p in parties if p["returning_to"]]
    assert 0.04 <= len(returning) / len(parties) <= 0.2
    hosts = {h["id"]: h for h in doc["hosts"]}
    assert all(hosts[p["returning_to"]]["welcomes_back"] for p in returning)


def test_shortage_nights_carry_rotation():
    normal = make_night("normal", 3)["parties"]
    short = make_night("host-shortage", 3)["parties"]
    share = lambda ps: sum(p["nights_outside"] > 0 for p in ps) / len(ps)  # noqa: E731
    assert share(normal) < 0.2 < 0.5 < share(short)
    assert all(0 <= p["nights_outside"] <= 7 for p in short)


def test_nights_make_sense(nights):
    _, docs = nights
    for doc in docs:
        ids = [x["id"] for key in ("parties", "shelters", "hosts", "drivers") for x in doc[key]]
        assert len(ids) == len(set(ids))
        start, end = (datetime.fromisoformat(doc["window"][k]) for k in ("start", "end"))
        assert start.utcoffset() is not None and end > start
        for h in doc["hosts"]:
            ready, latest = datetime.fromisoformat(h["ready_from"]), datetime.fromisoformat(h["latest_arrival"])
            assert start < ready < latest <= end
            assert h["accepts"]["max_party"] <= h["beds"]
        night = read_night(doc)
        for h in night.hosts:  # a host who fetches guests can get home with them in time: no dead offers
            if h.pickup == "self":
                trip = night.travel.board_seconds + night.travel.drive_seconds(night.meeting_point, h.location)
                assert night.seconds(h.ready_from) + trip <= night.seconds(h.latest_arrival)
        for d in doc["drivers"]:
            assert datetime.fromisoformat(d["available_from"]) < datetime.fromisoformat(d["available_until"]) <= end
        for p in doc["parties"]:
            assert set(p) == {"id", "size", "gender", "minor", "vulnerable", "languages", "waiting_since",
                              "returning_to", "nights_outside"}  # nothing more is ever recorded of a guest


def test_same_seed_same_night_other_seed_other_night():
    assert json.dumps(make_night("normal", 5)) == json.dumps(make_night("normal", 5))
    assert make_night("normal", 5) != make_night("normal", 6)
    assert make_night("few-drivers", 5, people=200) == make_night("few-drivers", 5, people=200)


@pytest.mark.parametrize("people", [1, 100, 1000])
def test_people_rescales_the_scenario(people):
    doc = make_night("normal", 0, people=people)
    read_night(doc)
    assert sum(p["size"] for p in doc["parties"]) == people
    base = make_night("normal", 0)
    ratio = people / sum(p["size"] for p in base["parties"])
    if people >= 100:
        assert len(doc["hosts"]) == pytest.approx(len(base["hosts"]) * ratio, rel=0.25)
        assert len(doc["drivers"]) == pytest.approx(len(base["drivers"]) * ratio, rel=0.3)


def test_unknown_scenario_is_refused():
    with pytest.raises(ValueError, match="unknown scenario"):
        make_night("summer", 0)
