"""nightstay's plan checker agrees with the format's reference checker, rule by rule.

Each case breaks (or harmlessly bends) one rule of the tiny night's hand-built plan; both
checkers must reach the same verdict, and on valid plans the same score. Hypothesis then
bends the plan at random paths, and the planners' own plans on demo nights close the loop.
"""
from __future__ import annotations

import copy
import json
import random
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nightstay.planner.check import check_plan, rank_key
from nightstay.planner.demo import make_night
from nightstay.planner.greedy import greedy
from nightstay.planner.read import NightError, read_night

from .reference import assert_valid, reference_check, reference_rank_key
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


def test_the_hand_built_plan_is_valid_for_both_checkers():
    night, plan = tiny_night(), tiny_plan()

    score = assert_valid(night, plan)
    verdict = check_plan(read_night(night), plan)

    assert verdict.valid and verdict.errors == ()
    assert verdict.score == score
    assert (score["people"], score["sheltered"], score["vulnerable_sheltered"]) == (8, 8, 4)


@pytest.mark.parametrize("change", BROKEN, ids=lambda f: f.__name__)
def test_a_broken_plan_is_invalid_for_both_checkers(change):
    night, plan = bent(change)

    verdict = check_plan(read_night(night), plan)

    assert not reference_valid(night, plan), "the case breaks no rule: fix the case"
    assert not verdict.valid
    assert all(isinstance(line, str) and "\n" not in line for line in verdict.errors)


@pytest.mark.parametrize("change", BENT, ids=lambda f: f.__name__)
def test_a_plan_bent_within_the_rules_is_valid_and_scored_alike(change):
    night, plan = bent(change)

    score = assert_valid(night, plan)
    verdict = check_plan(read_night(night), plan)

    assert verdict.errors == ()
    assert verdict.score == score


@pytest.mark.parametrize("change, line", [
    (party_twice, "party P1 appears twice"),
    (over_full_host, "H2: 3 people for 2 beds"),
    (trip_overload, "trips[0]: 3 people in 2 seats"),
    (departs_too_early, "trips[0]: departs 21:00:00 before loading can end"),
    (arrives_after_latest, "trips[0].stops[0]: arrives 23:45:00, after 23:30:00"),
    (no_trip_to_a_driver_host, "party P2 placed at H1 but no trip drops it there"),
    (wrong_sheltered, "summary.sheltered: says 7, the plan gives 8"),
    (fixed_not_kept, "fixed placement P3 -> S2 not kept"),
    (refused_gender, "party P1 at S2: does not accept gender m"),
    (refused_language, "party P2 at H1: no common language"),
    (end_nowhere, "trips[1].end: must be meeting_point or home"),
    (placement_without_arrive, "placements[0].arrive: missing"),
    (time_without_offset, 'trips[0].depart: time without UTC offset: \'2018-01-15T21:15:00\''),
    (stops_as_text, "trips[0].stops: must be a list"),
    (summary_as_text, "summary.driver_km: must be a number, got '21'"),
])
def test_a_broken_rule_reads_as_one_line(change, line):
    night, plan = bent(change)

    assert line in check_plan(read_night(night), plan).errors


def test_a_plan_that_is_not_an_object_is_invalid():
    verdict = check_plan(read_night(tiny_night()), ["P1"])

    assert not verdict.valid
    assert verdict.errors[:2] == ("plan: must be a JSON object", 'format: must be "nightstay.plan/1"')


# -- random bends: the two checkers never disagree -------------------------------------------

def _paths(value, prefix=()):
    if prefix:
        yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, (*prefix, i))


PLAN_PATHS = list(_paths(tiny_plan()))
TIMES = [(datetime.fromisoformat("2018-01-15T20:45:00+01:00") + timedelta(minutes=m)).isoformat()
         for m in range(0, 270, 5)]
PLAUSIBLE = st.sampled_from(["P1", "P2", "P3", "P4", "P5", "P9", "S1", "S2", "H1", "H2", "D1", "D2",
                             "home", "meeting_point", None, [], {}, "", ["P1"], ["P2", "P3"], 0, 1, 3, 8, 21.0, 15,
                             True])
VALUES = PLAUSIBLE | st.sampled_from(TIMES)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PLAN_PATHS), VALUES, st.booleans()), min_size=1, max_size=3))
def test_both_checkers_agree_on_randomly_bent_plans(changes):
    night, plan = tiny_night(), tiny_plan()
    for path, value, delete in changes:
        target = plan
        try:
            for key in path[:-1]:
                target = target[key]
            if delete:
                del target[path[-1]]
            else:
                target[path[-1]] = copy.deepcopy(value)
        except (KeyError, IndexError, TypeError):
            continue

    agree(night, plan)


# -- the planners' plans -----------------------------------------------------------------------

@pytest.mark.parametrize("scenario, seed", [("normal", 1), ("few-drivers", 2), ("small-hub", 3), ("far-hosts", 4)])
def test_greedy_plans_are_judged_alike(scenario, seed):
    night = make_night(scenario, seed)
    plan = greedy(read_night(night)).to_json()

    score = assert_valid(night, plan)
    verdict = check_plan(read_night(night), plan)

    assert verdict.valid and verdict.score == score


def test_rank_key_orders_scores_as_the_reference():
    night = tiny_night()
    scores = []
    for change in BENT + [lambda n, p: None]:
        n, p = bent(change)
        scores.append(check_plan(read_night(n), p).score)

    ours = sorted(range(len(scores)), key=lambda i: (rank_key(scores[i]), i))
    theirs = sorted(range(len(scores)), key=lambda i: (reference_rank_key(scores[i]), i))

    assert ours == theirs
    assert rank_key(scores[0]) > rank_key(check_plan(read_night(night), tiny_plan()).score)  # P5 left outside


def test_rank_key_puts_vulnerable_people_first():
    base = {"vulnerable_sheltered": 4, "sheltered": 8, "rotation": 15, "returning_honoured": 1,
            "last_arrival": "2018-01-15T22:14:37+01:00", "driver_km": 21.0}
    better = [
        {**base, "vulnerable_sheltered": 5, "sheltered": 1, "rotation": 0, "driver_km": 500.0},
        {**base, "sheltered": 9, "rotation": 0},
        {**base, "rotation": 16, "returning_honoured": 0},
        {**base, "returning_honoured": 2, "last_arrival": "2018-01-16T00:14:37+01:00"},
        {**base, "last_arrival": "2018-01-15T22:00:00+01:00", "driver_km": 90.0},
        {**base, "driver_km": 20.9},
    ]
    for score in better:
        assert rank_key(score) < rank_key(base)
        assert (rank_key(score) < rank_key(base)) == (reference_rank_key(score) < reference_rank_key(base))


NIGHTS = Path(__file__).parent / "nights"
ADVERSARIAL = sorted(p for p in NIGHTS.glob("*.json") if not p.name.endswith(".expect.json"))


@pytest.mark.parametrize("path", ADVERSARIAL, ids=lambda p: p.stem)
def test_solver_plans_on_adversarial_nights_are_judged_alike(path):
    from nightstay.planner import MaxWork, solve

    night = json.loads(path.read_text())
    try:
        model = read_night(night)
    except NightError as e:  # test_adversarial.py fails on it; here it would only repeat that
        pytest.skip(f"{path.name} is not a valid night: {e.problems[0]}")
    agree(night, solve(model, MaxWork.for_seconds(0.02)).to_json())


@pytest.mark.parametrize("scenario, seed", [("small-hub", 5), ("few-drivers", 6)])
def test_randomly_bent_planner_plans_are_judged_alike(scenario, seed):
    """Bigger plans than the tiny one: trips with several stops, drivers with several trips."""
    night = make_night(scenario, seed, people=60)
    plan = greedy(read_night(night)).to_json()
    agree(night, plan)
    ids = [p["id"] for key in ("parties", "shelters", "hosts", "drivers") for p in night[key]]
    times = sorted({t for _, t in _leaves(plan) if isinstance(t, str) and t[:2] == "20"})
    rng = random.Random(seed)
    for _ in range(150):
        bent_plan = copy.deepcopy(plan)
        for _ in range(rng.randint(1, 3)):
            path = rng.choice(list(_paths(bent_plan)))
            target = bent_plan
            for key in path[:-1]:
                target = target[key]
            if rng.random() < 0.25:
                del target[path[-1]]
            else:
                target[path[-1]] = rng.choice([rng.choice(ids), rng.choice(times), rng.randint(0, 9),
                                               rng.choice(["home", "meeting_point"]), []])
        agree(night, bent_plan)


def _leaves(value, prefix=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, (*prefix, i))
    else:
        yield prefix, value


def test_a_plan_whose_times_leave_the_calendar_is_invalid_not_a_crash():
    night = tiny_night()
    night["travel"].update(walk_kmh=0.1, drive_kmh=0.1, road_factor=10)
    night["hosts"][0]["location"] = {"lat": -50.8, "lon": -175.6}  # the far side of the earth
    plan = tiny_plan()
    plan["trips"][0]["stops"] = [{"place": "H1", "parties": [], "arrive": plan["trips"][0]["depart"]},
                                 {"place": "S2", "parties": [], "arrive": plan["trips"][0]["depart"]}] * 40

    verdict = check_plan(read_night(night), plan)

    assert not verdict.valid
    assert "trips: times run past the end of the calendar" in verdict.errors


# -- whatever the plan file holds, the checker answers -------------------------------------------

ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-10**20, max_value=10**20) | st.floats() | st.text(max_size=20)
    | st.sampled_from(TIMES + ["2018-01-15T21:00:00", "9999-12-31T23:59:59-23:59", "P1", "H1", "D1"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=10,
)


TINY_NIGHT, TINY_PLAN = read_night(tiny_night()), tiny_plan()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_JSON)
def test_any_json_as_a_plan_gets_a_verdict_not_an_exception(document):
    verdict = check_plan(TINY_NIGHT, document)

    assert isinstance(verdict.valid, bool) and all(isinstance(line, str) for line in verdict.errors)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PLAN_PATHS), ANY_JSON), min_size=1, max_size=3))
def test_any_value_anywhere_in_a_plan_gets_a_verdict_not_an_exception(changes):
    plan = copy.deepcopy(TINY_PLAN)
    for path, value in changes:
        target = plan
        try:
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue

    verdict = check_plan(TINY_NIGHT, plan)

    assert isinstance(verdict.valid, bool) and all(isinstance(line, str) for line in verdict.errors)
