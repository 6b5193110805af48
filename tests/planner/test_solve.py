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
from nightstay.planner import MaxRuntime, MaxWork, solve
from tests.planner.conftest import dormitory, driver, host, night, party
from tests.planner.reference import assert_valid, reference_check, reference_rank_key

QUICK = 0.3  # seconds: tiny nights are solved long before


def plan_for(night_doc: dict, time_limit: float = QUICK, seed: int = 0,
             deterministic: bool = False) -> tuple[dict, dict]:
    """Solve, check with the reference checker; (plan document, reference score)."""
    stop = MaxWork.for_seconds(time_limit) if deterministic else MaxRuntime(time_limit)
    plan = json.loads(solve(read_night(night_doc), stop, seed).dumps())
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


def test_a_fixed_placement_no_ride_can_keep_is_dropped_and_said():
    """Promised a driver host on a night without drivers: not kept (no ride), the rest planned, the reason said."""
    doc = night([party("a"), party("b")], [host("Hd", pickup="driver"), host("Hs", beds=1)],
                fixed=[{"party": "a", "place": "Hd"}])
    result = solve(read_night(doc), MaxRuntime(QUICK))
    errors, score = reference_check(doc, result.to_json())
    assert errors == ["fixed placement a -> Hd not kept"]
    assert score["sheltered"] == 1  # the self host's bed is still used
    assert result.notes == ("a -> Hd: Hd cannot be reached by any driver in time",)


def test_same_seed_deterministic_gives_the_same_bytes():
    doc = make_night("normal", 3)
    a = solve(read_night(doc), MaxWork.for_seconds(0.5), seed=7).dumps()
    b = solve(read_night(doc), MaxWork.for_seconds(0.5), seed=7).dumps()
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


@st.composite
def odd_nights(draw):
    """Small nights with odd corners: late waiters, hosts ready late, drivers leaving early,
    tiny cars, languages, minors, families; and fixed placements taken from a valid plan."""
    rnd = draw(st.randoms(use_true_random=False))
    def hhmm(lo, hi):
        return f"{rnd.randint(lo, hi) % 24:02d}:{rnd.choice(['00', '15', '30', '45'])}"

    def later(t, hours):
        return f"{(int(t[:2]) + rnd.randint(1, hours)) % 24:02d}:{t[3:]}"

    parties = []
    for k in range(rnd.randint(0, 14)):
        gender = rnd.choice(["m", "m", "m", "f", "mixed"])
        parties.append(party(f"p{k}", size=rnd.choice([1, 1, 1, 2, 3, 5]) if gender == "mixed" else 1,
                             gender=gender, minor=rnd.random() < 0.2, vulnerable=rnd.random() < 0.3,
                             waits=hhmm(19, 24), out=rnd.randint(0, 7), langs=rnd.sample(["ar", "en", "fr"], rnd.randint(0, 2))))
    hosts = []
    for k in range(rnd.randint(0, 6)):
        ready = hhmm(19, 23)
        hosts.append(host(f"h{k}", km_east=rnd.uniform(-12, 12), beds=rnd.randint(1, 5),
                          pickup=rnd.choice(["self", "driver", "driver"]),
                          genders=rnd.sample(["m", "f", "mixed"], rnd.randint(1, 3)), minors=rnd.random() < 0.5,
                          max_party=rnd.randint(1, 5), ready=ready, latest=later(ready, 3),
                          langs=rnd.sample(["ar", "en", "nl"], rnd.randint(0, 2))))
    for p in parties:
        if hosts and rnd.random() < 0.2:
            p["returning_to"] = rnd.choice(hosts)["id"]
    shelters = [dormitory(rnd.randint(1, 6))] if rnd.random() < 0.5 else []
    if rnd.random() < 0.5:
        shelters.append({"id": "S2", "name": "Families", "location": {"lat": 50.87, "lon": 4.38},
                         "beds": rnd.randint(1, 8), "reach": "drive",
                         "accepts": {"genders": ["f", "mixed"], "minors": True}})
    drivers = []
    for k in range(rnd.randint(0, 3)):
        since = hhmm(19, 23)
        drivers.append(driver(f"d{k}", seats=rnd.randint(1, 5), since=since, until=later(since, 3)))
    doc = night(parties, hosts, shelters, drivers)
    plan = json.loads(greedy(read_night(doc)).dumps())
    if not reference_check(doc, plan)[0]:  # announced placements that some valid plan keeps
        doc["fixed"] = [{"party": p["party"], "place": p["place"]} for p in plan["placements"] if rnd.random() < 0.3]
    return doc


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=odd_nights(), seed=st.integers(0, 3))
def test_odd_nights_get_valid_plans(doc, seed):
    plan, score = plan_for(doc, time_limit=0.1, seed=seed, deterministic=True)
    for f in doc["fixed"]:
        assert placed(plan)[f["party"]] == f["place"]


def test_fixed_rides_are_ordered_so_that_both_arrive_in_time():
    """One driver, one seat; ``a`` is promised ``Hfar`` (no hurry), ``b`` is promised ``Hsoon``,
    which takes guests only until 21:30: ``b`` must ride first, whatever order they are listed in."""
    doc = night([party("a", waits="21:00"), party("b", waits="21:00")],
                [host("Hfar", pickup="driver", km_east=4.0), host("Hsoon", pickup="driver", km_east=2.0, latest="21:30")],
                drivers=[driver("D1", seats=1)],
                fixed=[{"party": "a", "place": "Hfar"}, {"party": "b", "place": "Hsoon"}])
    plan, _ = plan_for(doc)
    assert [t["stops"][0]["parties"] for t in plan["trips"]] == [["b"], ["a"]]


def test_no_time_at_all_still_gives_a_valid_plan():
    doc = make_night("normal", 2)
    plan, score = plan_for(doc, time_limit=0)
    assert score["sheltered"] > 0
    assert plan["summary"]["solve_seconds"] >= 0


def test_men_holding_a_family_host_move_to_the_dormitory_for_the_family():
    """The move itself, on the plan insertion makes of ``nights/men_in_the_family_beds.json``."""
    from pathlib import Path

    from nightstay.planner.free_beds import free_beds
    from nightstay.planner.insert import Work, construct
    from nightstay.planner.problem import Problem
    from nightstay.planner import MaxWork
    from nightstay.planner.state import State

    doc = json.loads((Path(__file__).parent / "nights" / "men_in_the_family_beds.json").read_text())
    pb = Problem.build(read_night(doc))
    st = State(pb)
    construct(st, Work(), MaxWork(10**9))
    assert st.vuln == 2  # the two men took the host's beds; the family is outside

    st = free_beds(st, Work(), MaxWork(10**9))

    assert st.vuln == 5
    assert {pb.night.parties[i].id: pb.places[st.place[i]].id for i in range(pb.n)} == {
        "m1": "S1", "m2": "S1", "family": "H1"}


def test_a_family_holding_the_mens_host_moves_to_the_family_host_for_the_men():
    """The move for parties who are not vulnerable, on ``nights/family_in_the_mens_beds.json``.

    Insertion gives the family (first in line) the host that also takes men; the men, whom only
    that host takes, are left out while the host for families stays empty. Moving the family
    fills both hosts, and the second man then fits without another move.
    """
    from pathlib import Path

    from nightstay.planner.free_beds import free_beds_for_all
    from nightstay.planner.insert import Work, construct
    from nightstay.planner.problem import Problem
    from nightstay.planner import MaxWork
    from nightstay.planner.state import State

    doc = json.loads((Path(__file__).parent / "nights" / "family_in_the_mens_beds.json").read_text())
    pb = Problem.build(read_night(doc))
    st = State(pb)
    construct(st, Work(), MaxWork(10**9))
    assert st.people == 2  # the family took the host both could use

    st = free_beds_for_all(st, Work(), MaxWork(10**9))

    assert st.people == 4
    assert {pb.night.parties[i].id: pb.places[st.place[i]].id for i in range(pb.n) if st.place[i] >= 0} == {
        "family": "H2", "m1": "H1", "m2": "H1"}


def test_the_cars_go_to_the_vulnerable_families_when_men_held_them():
    """``vulnerable_first`` on ``nights/families_need_the_only_car.json``, from a start where the
    men took the only driver's first trip: planned alone, the families get both trips."""
    from pathlib import Path

    from nightstay.planner.insert import Work, construct
    from nightstay.planner.problem import Problem
    from nightstay.planner import MaxWork
    from nightstay.planner.start import vulnerable_first
    from nightstay.planner.state import State

    doc = json.loads((Path(__file__).parent / "nights" / "families_need_the_only_car.json").read_text())
    pb = Problem.build(read_night(doc))
    st = State(pb)
    construct(st, Work(), MaxWork(10**9), parties=[i for i in range(pb.n) if not pb.vulnerable[i]])
    construct(st, Work(), MaxWork(10**9), parties=[i for i in range(pb.n) if pb.vulnerable[i]])
    assert st.vuln == 4  # the men rode first; one family is left outside

    st = vulnerable_first(pb, st, Work(), MaxWork(40_000), seed=0)

    assert st.vuln == 8
    assert {pb.night.parties[i].id: pb.places[st.place[i]].id for i in range(pb.n) if st.place[i] >= 0} == {
        "family1": "H1", "family2": "H2"}
