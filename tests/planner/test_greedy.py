"""The coordinator's greedy: always a valid plan, and the order a careful human follows."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from nightstay.planner.demo import SCENARIOS, make_night
from nightstay.planner.greedy import greedy
from nightstay.planner.read import NightError, read_night
from tests.planner.reference import assert_valid
from tests.planner.tiny_night import tiny_night

PARK = {"lat": 50.8572, "lon": 4.3520}
DAY = "2018-01-15T"
NEXT = "2018-01-16T"


def party(pid, *, size=1, gender="m", minor=False, vulnerable=False, at="20:00", out=0, back=None, langs=()):
    return {"id": pid, "size": size, "gender": gender, "minor": minor, "vulnerable": vulnerable,
            "languages": list(langs), "waiting_since": f"{DAY}{at}:00+01:00", "returning_to": back,
            "nights_outside": out}


def host(hid, *, lat=50.85, lon=4.35, beds=1, pickup="self", genders=("m", "f", "mixed"), minors=True,
         ready="20:00", latest="23:30", back=False):
    latest_day = NEXT if latest < "12:00" else DAY
    return {"id": hid, "location": {"lat": lat, "lon": lon}, "beds": beds, "pickup": pickup,
            "accepts": {"genders": list(genders), "minors": minors, "max_party": 4}, "languages": [],
            "ready_from": f"{DAY}{ready}:00+01:00", "latest_arrival": f"{latest_day}{latest}:00+01:00",
            "welcomes_back": back}


def driver(did, *, seats=4, since="20:00", until="23:59"):
    return {"id": did, "seats": seats, "home": {"lat": 50.84, "lon": 4.36},
            "available_from": f"{DAY}{since}:00+01:00", "available_until": f"{DAY}{until}:00+01:00"}


def dormitory(beds):
    return {"id": "S1", "name": "Dormitory", "location": {"lat": 50.8632, "lon": 4.3605}, "beds": beds,
            "reach": "walk", "accepts": {"genders": ["m"], "minors": False}}


def night_doc(parties, hosts=(), drivers=(), shelters=(), fixed=()):
    return {"format": "nightstay.night/1", "hub": {"name": "Maximilien Park", "meeting_point": PARK},
            "window": {"start": f"{DAY}19:00:00+01:00", "end": f"{NEXT}01:00:00+01:00"},
            "travel": {"model": "haversine", "road_factor": 1.3, "drive_kmh": 30, "walk_kmh": 4.5,
                       "board_minutes": 5, "drop_minutes": 3},
            "parties": list(parties), "shelters": list(shelters), "hosts": list(hosts),
            "drivers": list(drivers), "fixed": list(fixed)}


def plan_for(doc):
    plan = greedy(read_night(doc)).to_json()
    assert_valid(doc, plan)
    return plan


def place_of(plan):
    return {p["party"]: p["place"] for p in plan["placements"]}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_valid_on_every_scenario(scenario):
    for seed in (0, 1):
        doc = make_night(scenario, seed)
        plan = plan_for(doc)
        people = sum(p["size"] for p in doc["parties"])
        assert plan["summary"]["people"] == people
        assert plan["summary"]["sheltered"] > 0.3 * people  # a human shelters many, whatever the night


def test_valid_on_large_night():
    plan = plan_for(make_night("winter", 3, people=1200))
    assert plan["summary"]["sheltered"] > 600


def test_tiny_night_keeps_its_fixed_placement():
    doc = tiny_night()
    plan = plan_for(doc)
    assert place_of(plan)["P3"] == "S2"
    assert plan["summary"]["sheltered"] == 8  # the hand-built plan shelters all eight: so does the greedy


def test_vulnerable_come_first():
    doc = night_doc([party("P1", at="19:30"), party("P2", gender="f", vulnerable=True, at="21:00")],
                    hosts=[host("H1")])
    plan = plan_for(doc)
    assert place_of(plan) == {"P2": "H1"} and plan["unplaced"] == ["P1"]


def test_then_most_nights_outside_then_first_come():
    doc = night_doc([party("P1", at="19:30"), party("P2", at="20:30", out=3), party("P3", at="19:40", out=3)],
                    hosts=[host("H1", beds=1), host("H2", beds=1, lat=50.86)])
    assert set(place_of(plan_for(doc))) == {"P2", "P3"}
    doc = night_doc([party("P1", at="19:45"), party("P2", at="19:30")], hosts=[host("H1")])
    assert place_of(plan_for(doc)) == {"P2": "H1"}


def test_dormitory_before_hosts_and_returning_wishes_before_both():
    doc = night_doc([party("P1", at="19:30"), party("P2", at="19:31", back="H1")],
                    hosts=[host("H1", beds=2, back=True)], shelters=[dormitory(5)])
    assert place_of(plan_for(doc)) == {"P1": "S1", "P2": "H1"}


def test_self_hosts_before_driver_hosts():
    doc = night_doc([party("P1")], hosts=[host("H1", pickup="driver", lat=50.858), host("H2", lat=50.80)],
                    drivers=[driver("D1")])
    plan = plan_for(doc)
    assert place_of(plan) == {"P1": "H2"} and plan["trips"] == []


def test_driver_fills_seats_with_the_nearest_stops():
    # Car places go nearest to the park first: P1 -> H1 (north), P2 -> H3 (south), P3 -> H2 (beside H1).
    hosts = [host("H1", pickup="driver", lat=50.884, lon=4.352), host("H2", pickup="driver", lat=50.889, lon=4.352),
             host("H3", pickup="driver", lat=50.829, lon=4.352)]
    doc = night_doc([party("P1", at="19:30"), party("P2", at="19:31"), party("P3", at="19:32")], hosts=hosts,
                    drivers=[driver("D1", seats=2)])
    plan = plan_for(doc)
    assert place_of(plan) == {"P1": "H1", "P2": "H3", "P3": "H2"}
    first, second = plan["trips"]
    assert [p for s in first["stops"] for p in s["parties"]] == ["P1", "P3"]
    assert [p for s in second["stops"] for p in s["parties"]] == ["P2"]
    assert first["end"] == "meeting_point" and second["end"] == "home"


def test_a_trip_that_would_break_a_deadline_is_not_made():
    # H1 wants its guest by 20:10; the only driver comes at 20:30: the human does not send P1 there.
    doc = night_doc([party("P1", at="19:00")], hosts=[host("H1", pickup="driver", latest="20:10", ready="19:30")],
                    drivers=[driver("D1", since="20:30")])
    plan = plan_for(doc)
    assert plan["unplaced"] == ["P1"] and plan["trips"] == []


def test_no_men_with_women_at_a_host():
    doc = night_doc([party("P1", gender="f", vulnerable=True), party("P2", at="19:10")], hosts=[host("H1", beds=4)])
    assert place_of(plan_for(doc)) == {"P1": "H1"}


def test_empty_night_gives_an_empty_plan():
    plan = plan_for(night_doc([]))
    assert plan["placements"] == [] and plan["unplaced"] == [] and plan["trips"] == []


NIGHTS = sorted(p for p in (Path(__file__).parent / "nights").glob("*.json") if not p.name.endswith(".expect.json"))


@pytest.mark.parametrize("path", NIGHTS, ids=lambda p: p.stem)
def test_valid_on_every_adversarial_night(path):
    doc = json.loads(path.read_text())
    try:
        night = read_night(doc)
    except NightError:
        pytest.skip("a night the reader refuses has no plan")
    assert_valid(doc, greedy(night).to_json())


def test_same_night_same_plan():
    night = read_night(make_night("few-drivers", 2, people=200))
    assert greedy(night).to_json()["trips"] == greedy(night).to_json()["trips"]
