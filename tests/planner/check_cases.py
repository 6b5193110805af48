"""The plan cases nightstay's checker and the format's reference checker must judge alike.

Each case breaks (or harmlessly bends) one rule of the tiny night's hand-built plan;
``agree`` holds both checkers to the same verdict, and on valid plans to the same score.
The tests are in test_check_rules.py (case by case) and test_check_agrees.py (at random).
"""
from __future__ import annotations

import copy
from datetime import datetime, timedelta

from nightstay.planner.check import check_plan
from nightstay.planner.read import read_night

from .reference import reference_check
from .tiny_night import tiny_night, tiny_plan


def reference_valid(night: dict, plan) -> bool:
    try:
        errors, _ = reference_check(night, plan)
    except AttributeError:  # the reference assumes objects where a malformed plan has none
        return False
    return not errors


def stricter_than_reference(plan) -> bool:
    """Where nightstay refuses what the reference lets through.

    The reference iterates whatever it finds, so an empty object where a list belongs, or a
    summary that is a list, passes there; and ``true`` passes for a count of 1 in Python.
    """
    if not isinstance(plan, dict):
        return False
    containers = [plan.get("placements", []), plan.get("unplaced", []), plan.get("trips", [])]
    for trip in plan.get("trips") if isinstance(plan.get("trips"), list) else []:
        stops = trip.get("stops", []) if isinstance(trip, dict) else []
        containers.append(stops)
        containers += [stop.get("parties", []) for stop in (stops if isinstance(stops, list) else [])
                       if isinstance(stop, dict)]
    summary = plan.get("summary")
    return (any(not isinstance(c, list) for c in containers) or bool(summary) and not isinstance(summary, dict)
            or isinstance(summary, dict) and any(isinstance(v, bool) for v in summary.values()))


def agree(night: dict, plan) -> None:
    """Both checkers reach the same verdict, and on a valid plan the same score.

    Where nightstay is knowingly stricter (``stricter_than_reference``), it must refuse.
    """
    verdict = check_plan(read_night(night), plan)
    if stricter_than_reference(plan):
        assert not verdict.valid
        return
    try:
        errors, score = reference_check(night, plan)
    except AttributeError:  # the reference assumes objects where a malformed plan has none
        errors, score = ["malformed plan"], None
    assert verdict.valid == (not errors), (verdict.errors, errors)
    if verdict.valid:
        assert verdict.score == {**score, "valid": True}


def shift(text: str, **delta) -> str:
    return (datetime.fromisoformat(text) + timedelta(**delta)).isoformat()


def placement(plan: dict, party: str) -> dict:
    return next(p for p in plan["placements"] if p["party"] == party)


# -- broken plans: (what it breaks, change to the night and plan) -----------------------------

def party_twice(n, p):
    p["placements"].append(dict(placement(p, "P1")))


def over_full_host(n, p):
    p["placements"].append({**placement(p, "P4"), "party": "P5", "place": "H2"})
    p["placements"].remove(placement(p, "P5"))


def men_and_women_at_a_host(n, p):
    n["hosts"][0]["accepts"]["genders"] = ["m", "f", "mixed"]
    n["hosts"][0]["languages"] = []
    p["placements"].remove(placement(p, "P1"))
    p["placements"].append({**placement(p, "P2"), "party": "P1"})
    p["trips"][0]["stops"][0]["parties"].append("P1")


def trip_overload(n, p):
    n["drivers"][0]["seats"] = 2


def departs_too_early(n, p):
    p["trips"][0]["depart"] = "2018-01-15T21:00:00+01:00"


def arrives_after_latest(n, p):
    late = "2018-01-15T23:45:00+01:00"
    p["trips"][0]["stops"][0]["arrive"] = late
    placement(p, "P2")["arrive"] = late


def no_trip_to_a_driver_host(n, p):
    del p["trips"][0]


def stop_earlier_than_drive(n, p):
    p["trips"][1]["stops"][0]["arrive"] = p["trips"][1]["depart"]
    placement(p, "P3")["arrive"] = p["trips"][1]["depart"]


def placement_differs_from_its_stop(n, p):
    placement(p, "P2")["arrive"] = shift(placement(p, "P2")["arrive"], minutes=10)


def wrong_sheltered(n, p):
    p["summary"]["sheltered"] = 7


def wrong_rotation(n, p):
    p["summary"]["rotation"] = 16


def wrong_driver_km(n, p):
    p["summary"]["driver_km"] += 1.5


def wrong_last_arrival(n, p):
    p["summary"]["last_arrival"] = shift(p["summary"]["last_arrival"], minutes=-30)


def fixed_not_kept(n, p):
    p["placements"].remove(placement(p, "P3"))
    p["trips"][1]["stops"][0]["parties"] = []
    p["unplaced"].append("P3")
    del p["summary"]


def neither_placed_nor_unplaced(n, p):
    p["placements"].remove(placement(p, "P5"))
    del p["summary"]


def placed_and_unplaced(n, p):
    p["unplaced"].append("P5")


def unknown_party(n, p):
    p["placements"].append({"party": "P9", "place": "S1", "arrive": placement(p, "P1")["arrive"]})


def unknown_place(n, p):
    placement(p, "P1")["place"] = "S9"


def unknown_driver(n, p):
    p["trips"][1]["driver"] = "D9"


def walks_faster_than_walking(n, p):
    placement(p, "P1")["arrive"] = "2018-01-15T21:05:00+01:00"


def walks_after_the_window(n, p):
    n["window"]["end"] = "2018-01-15T22:00:00+01:00"
    n["hosts"][0]["latest_arrival"] = "2018-01-15T22:00:00+01:00"
    n["hosts"][1]["latest_arrival"] = "2018-01-15T22:00:00+01:00"
    n["drivers"][0]["available_until"] = "2018-01-15T22:00:00+01:00"
    n["drivers"][1]["available_until"] = "2018-01-15T22:00:00+01:00"


def self_host_too_early(n, p):
    placement(p, "P4")["arrive"] = "2018-01-15T21:20:00+01:00"


def self_host_too_late(n, p):
    n["hosts"][1]["latest_arrival"] = "2018-01-15T21:25:00+01:00"


def refused_gender(n, p):
    placement(p, "P1")["place"] = "S2"


def refused_language(n, p):
    n["hosts"][0]["languages"] = ["fr"]


def refused_minor(n, p):
    n["hosts"][0]["accepts"]["minors"] = False


def refused_party_size(n, p):
    n["hosts"][0]["accepts"]["max_party"] = 2


def driver_busy_too_long(n, p):
    n["drivers"][1]["available_until"] = "2018-01-15T21:45:00+01:00"


def end_at_too_early(n, p):
    p["trips"][1]["end_at"] = p["trips"][1]["stops"][0]["arrive"]


def end_nowhere(n, p):
    p["trips"][1]["end"] = "garage"


def trip_after_going_home(n, p):
    p["trips"].append({**copy.deepcopy(p["trips"][1]), "driver": "D1"})
    p["trips"][1]["stops"][0]["parties"] = []


def stop_at_a_walk_shelter(n, p):
    p["trips"][0]["stops"].append({"place": "S1", "parties": [], "arrive": p["trips"][0]["end_at"]})


def stop_at_a_self_host(n, p):
    p["trips"][0]["stops"].append({"place": "H2", "parties": [], "arrive": p["trips"][0]["end_at"]})


def dropped_twice(n, p):
    p["trips"][1]["stops"][0]["parties"].append("P2")


def dropped_elsewhere(n, p):
    p["trips"][1]["stops"][0]["parties"].append("P1")


def departs_before_its_party_waits(n, p):
    n["parties"][1]["waiting_since"] = "2018-01-15T21:40:00+01:00"


def wrong_format(n, p):
    p["format"] = "nightstay.plan/0"


# -- malformed plans ---------------------------------------------------------------------------

def placement_without_arrive(n, p):
    del p["placements"][0]["arrive"]


def trip_without_depart(n, p):
    del p["trips"][0]["depart"]


def trip_without_end_at(n, p):
    del p["trips"][1]["end_at"]


def stop_without_arrive(n, p):
    del p["trips"][0]["stops"][0]["arrive"]


def time_without_offset(n, p):
    p["trips"][0]["depart"] = "2018-01-15T21:15:00"


def time_as_a_number(n, p):
    placement(p, "P1")["arrive"] = 1516047277


def stops_as_text(n, p):
    p["trips"][0]["stops"] = "H1"


def parties_as_text(n, p):
    p["trips"][0]["stops"][0]["parties"] = "P2"


def placements_as_an_object(n, p):
    p["placements"] = {"P1": "S1"}


def summary_as_text(n, p):
    p["summary"]["driver_km"] = "21"


def summary_last_arrival_as_a_number(n, p):
    p["summary"]["last_arrival"] = 5


def party_id_as_a_list(n, p):
    p["placements"][0]["party"] = ["P1"]


def place_id_as_a_list(n, p):
    p["placements"][0]["place"] = ["S1"]


def trip_as_text(n, p):
    p["trips"][0] = "D1"


BROKEN = [
    party_twice, over_full_host, men_and_women_at_a_host, trip_overload, departs_too_early, arrives_after_latest,
    no_trip_to_a_driver_host, stop_earlier_than_drive, placement_differs_from_its_stop, wrong_sheltered,
    wrong_rotation, wrong_driver_km, wrong_last_arrival, fixed_not_kept, neither_placed_nor_unplaced,
    placed_and_unplaced, unknown_party, unknown_place, unknown_driver, walks_faster_than_walking,
    walks_after_the_window, self_host_too_early, self_host_too_late, refused_gender, refused_language,
    refused_minor, refused_party_size, driver_busy_too_long, end_at_too_early, end_nowhere, trip_after_going_home,
    stop_at_a_walk_shelter, stop_at_a_self_host, dropped_twice, dropped_elsewhere, departs_before_its_party_waits,
    wrong_format, placement_without_arrive, trip_without_depart, trip_without_end_at, stop_without_arrive,
    time_without_offset, time_as_a_number, stops_as_text, parties_as_text, placements_as_an_object,
    summary_as_text, summary_last_arrival_as_a_number, party_id_as_a_list, place_id_as_a_list, trip_as_text,
]


# -- plans bent within the rules -------------------------------------------------------------

def one_party_left_outside(n, p):
    p["placements"].remove(placement(p, "P5"))
    p["unplaced"].append("P5")
    del p["summary"]


def arrival_said_late_within_slack(n, p):
    p["trips"][0]["stops"][0]["arrive"] = shift(p["trips"][0]["stops"][0]["arrive"], seconds=50)
    placement(p, "P2")["arrive"] = p["trips"][0]["stops"][0]["arrive"]


def departure_said_early_within_slack(n, p):
    p["trips"][1]["depart"] = shift(p["trips"][1]["depart"], seconds=-55)


def driver_km_rounded_within_a_kilometre(n, p):
    p["summary"]["driver_km"] += 0.9


def second_driver_goes_home(n, p):
    trip = p["trips"][1]
    trip["end"] = "home"
    trip["end_at"] = shift(trip["end_at"], minutes=30)
    del p["summary"]["driver_km"]


def a_stop_with_nobody(n, p):
    # a detour by H1 on the way to S2: the claimed times are later than the earliest, which is allowed
    p["trips"][1]["stops"].insert(0, {"place": "H1", "parties": [], "arrive": "2018-01-15T21:45:00+01:00"})
    p["trips"][1]["end_at"] = "2018-01-15T23:00:00+01:00"
    placement(p, "P3")["arrive"] = p["trips"][1]["stops"][1]["arrive"] = "2018-01-15T22:10:00+01:00"
    del p["summary"]


def no_summary(n, p):
    del p["summary"]


def unknown_keys(n, p):
    p["made_by"] = "a coordinator"
    p["placements"][0]["note"] = "bring a blanket"


BENT = [one_party_left_outside, arrival_said_late_within_slack, departure_said_early_within_slack,
        driver_km_rounded_within_a_kilometre, second_driver_goes_home, a_stop_with_nobody, no_summary, unknown_keys]


def bent(change) -> tuple[dict, dict]:
    night, plan = tiny_night(), tiny_plan()
    change(night, plan)
    return night, plan
