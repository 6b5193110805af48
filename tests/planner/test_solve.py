"""The night planner: valid plans always, the best plan on nights small enough to know it."""
from __future__ import annotations

import json
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nightstay.planner.demo import SCENARIOS, make_night
from nightstay.planner.greedy import greedy
from nightstay.planner.read import read_night
from nightstay.planner.solve import solve
from tests.planner.conftest import driver, host, night, party
from tests.planner.reference import assert_valid, reference_check, reference_rank_key

QUICK = 0.3  # seconds: tiny nights are solved long before


def plan_for(night_doc: dict, **kw) -> tuple[dict, dict]:
    """Solve, check with the reference checker; (plan document, reference score)."""
    kw.setdefault("time_limit", QUICK)
    plan = json.loads(solve(read_night(night_doc), **kw).dumps())
    return plan, assert_valid(night_doc, plan)


def placed(plan: dict) -> dict[str, str]:
    return {p["party"]: p["place"] for p in plan["placements"]}


def clock(text: str) -> str:
    return datetime.fromisoformat(text).strftime("%H:%M")


def test_vulnerable_woman_gets_the_only_bed(one_bed_two_parties):
    plan, score = plan_for(one_bed_two_parties)
    assert placed(plan) == {"woman": "H1"}
    assert (score["vulnerable_sheltered"], score["sheltered"]) == (1, 1)


def test_woman_and_man_never_share_a_host(mixed_host):
    plan, score = plan_for(mixed_host)
    assert placed(plan) == {"woman": "H1"}
    assert score["rotation"] == 2


def test_late_waiter_walks_instead_of_holding_up_the_host(late_waiter):
    plan, score = plan_for(late_waiter)
    assert placed(plan) == {"early": "H1", "late": "S1"}
    assert clock(score["last_arrival"]) == "23:15"


def test_one_driver_makes_two_trips(two_trips):
    plan, score = plan_for(two_trips)
    assert score["sheltered"] == 4
    assert [len(t["stops"]) for t in plan["trips"]] == [1, 1]
    assert plan["trips"][0]["end"] == "meeting_point" and plan["trips"][1]["end"] == "home"


def test_returning_guest_goes_back_to_their_host(returning):
    plan, score = plan_for(returning)
    assert placed(plan) == {"guest": "far", "other": "near"}
    assert score["returning_honoured"] == 1


def test_fixed_placement_is_kept_even_when_worse(fixed_far):
    plan, _ = plan_for(fixed_far)
    assert placed(plan) == {"guest": "far"}


def test_vulnerable_rides_first(vulnerable_needs_the_car):
    plan, score = plan_for(vulnerable_needs_the_car)
    assert placed(plan) == {"woman": "Hf"}
    assert score["vulnerable_sheltered"] == 1


def test_vulnerable_parties_are_packed_so_that_all_fit(packing):
    plan, score = plan_for(packing)
    assert placed(plan) == {"woman": "far", "family": "near"}
    assert score["vulnerable_sheltered"] == 4


def test_vulnerable_sheltered_whenever_a_bed_can_take_them():
    """Twenty men who slept outside all week and three vulnerable parties; beds for few.

    The men fill the beds if taken in rotation order; every vulnerable party has one host
    that takes it, a host the men could also use.
    """
    men = [party(f"m{k}", out=7, waits="20:00") for k in range(20)]
    vulnerable = [party("w", gender="f", vulnerable=True, waits="22:00"),
                  party("fam", size=3, gender="mixed", minor=True, vulnerable=True),
                  party("boy", minor=True, vulnerable=True, langs=["ps"])]
    hosts = [host(f"H{k}", beds=2, km_east=1.0 + k, genders=("m",), minors=False) for k in range(4)]
    hosts += [host("Hw", beds=1), host("Hfam", beds=3, pickup="driver"),
              host("Hboy", beds=2, pickup="driver", genders=("m",), langs=["ps", "en"])]
    doc = night(men + vulnerable, hosts, drivers=[driver("D1", seats=3)])
    plan, score = plan_for(doc)
    assert score["vulnerable_sheltered"] == 5
    assert score["sheltered"] == 5 + 4 * 2 + 1  # the boy's host has a bed left for a man


def test_empty_night_gives_an_empty_valid_plan():
    plan, score = plan_for(night())
    assert plan["placements"] == plan["unplaced"] == plan["trips"] == []
    assert score["sheltered"] == 0


def test_no_driver_leaves_driver_hosts_empty():
    doc = night([party("a"), party("b")], [host("Hd", pickup="driver", beds=2), host("Hs", beds=1)])
    plan, score = plan_for(doc)
    assert score["sheltered"] == 1 and plan["trips"] == []


def test_hosts_that_refuse_everyone():
    doc = night([party("a"), party("b", gender="f", langs=["ar"])],
                [host("H1", genders=("mixed",)), host("H2", genders=("f",), langs=["nl"])],
                drivers=[driver("D1")])
    plan, _ = plan_for(doc)
    assert plan["placements"] == [] and sorted(plan["unplaced"]) == ["a", "b"]


def test_impossible_fixed_placement_is_kept_without_crashing():
    """Promised a driver host on a night without drivers: kept, though no ride can honour it."""
    doc = night([party("a"), party("b")], [host("Hd", pickup="driver")],
                fixed=[{"party": "a", "place": "Hd"}])
    plan = json.loads(solve(read_night(doc), time_limit=QUICK).dumps())
    assert placed(plan) == {"a": "Hd"}
    errors, _ = reference_check(doc, plan)
    assert errors == ["party a placed at Hd but no trip drops it there"]


def test_same_seed_deterministic_gives_the_same_bytes():
    doc = make_night("normal", 3)
    a = solve(read_night(doc), time_limit=0.5, seed=7, deterministic=True).dumps()
    b = solve(read_night(doc), time_limit=0.5, seed=7, deterministic=True).dumps()
    assert a == b
    assert json.loads(a)["summary"]["solve_seconds"] is None


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_at_least_as_good_as_the_coordinators_greedy(scenario):
    doc = make_night(scenario, 11)
    night_ = read_night(doc)
    _, ours = plan_for(doc, time_limit=1.0, deterministic=True)
    theirs = assert_valid(doc, json.loads(greedy(night_).dumps()))
    assert reference_rank_key(ours) <= reference_rank_key(theirs)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=st.sampled_from(list(SCENARIOS)), seed=st.integers(0, 10**6), people=st.integers(1, 60))
def test_every_plan_is_valid_and_its_summary_true(scenario, seed, people):
    doc = make_night(scenario, seed, people)
    plan, score = plan_for(doc, time_limit=0.15, seed=seed, deterministic=True)
    for key in ("people", "sheltered", "vulnerable_sheltered", "rotation", "returning_honoured"):
        assert plan["summary"][key] == score[key]
