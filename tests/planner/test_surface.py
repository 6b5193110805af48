"""The planner's public surface: what the platform and the command line may rely on.

``read_night``, ``solve(night, stop, seed, params) -> Plan`` (frozen), stopping criteria,
``check`` returning problems as codes and values, and ``edit`` for a coordinator's move.
"""
from __future__ import annotations

import dataclasses
import json
import random
from datetime import datetime, timedelta, timezone

import pytest

from nightstay.planner import (MESSAGES, MaxRuntime, MaxWork, Plan, Refusal, SolveParams, StoppingCriterion,
                               Violation, check, check_plan, edit, read_night, solve)
from nightstay.planner.problems import refusal
from tests.planner.conftest import driver, host, night, party
from tests.planner.tiny_night import tiny_night, tiny_plan


@pytest.fixture
def tiny():
    return read_night(tiny_night())


def where(plan: Plan) -> dict[str, str]:
    return {p.party: p.place for p in plan.placements}


# -- Plan ----------------------------------------------------------------------------------------

def test_a_plan_cannot_be_changed_once_built(tiny):
    plan = Plan.from_json(tiny, tiny_plan())
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.unplaced = ("P1",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.placements[0].place = "S2"
    with pytest.raises(TypeError):
        plan.summary["sheltered"] = 99
    assert isinstance(plan.placements, tuple) and isinstance(plan.trips, tuple)


def test_a_plan_document_reads_back_to_the_same_document(tiny):
    doc = tiny_plan()
    plan = Plan.from_json(tiny, doc)
    assert plan.to_json() == doc
    assert plan.summarized(tiny, 0.0).to_json()["summary"] == doc["summary"]  # trip kilometres computed again


def test_a_document_that_is_no_plan_is_refused_in_one_line(tiny):
    with pytest.raises(ValueError, match="not a nightstay.plan/1 document"):
        Plan.from_json(tiny, {**tiny_plan(), "trips": [{"driver": "D9"}]})


# -- stopping and parameters ---------------------------------------------------------------------

def test_both_criteria_are_stopping_criteria():
    assert isinstance(MaxRuntime(1.0), StoppingCriterion)
    assert isinstance(MaxWork(10), StoppingCriterion)


@pytest.mark.parametrize("make", [lambda: MaxRuntime(-1), lambda: MaxRuntime(float("nan")), lambda: MaxWork(-1),
                                  lambda: MaxWork(1.5), lambda: MaxWork.for_seconds(-2)])
def test_a_budget_below_zero_is_refused(make):
    with pytest.raises(ValueError):
        make()


def test_counted_work_shares_its_units():
    stop = MaxWork(1001)
    assert stop.share(0.5).units == 500
    assert stop.share(0.5, less_seconds=3.0).units == 500  # no clock to keep time back on


@pytest.mark.parametrize("field, value", [("hurry_share", 1.5), ("packing_share", -0.1), ("writing_seconds", -1),
                                          ("max_relaxation_pairs", 2.5), ("relaxation_share", "0.2")])
def test_parameters_check_themselves(field, value):
    with pytest.raises(ValueError, match=field):
        SolveParams(**{field: value})
    with pytest.raises(dataclasses.FrozenInstanceError):
        SolveParams().hurry_share = 0.7


def test_the_same_seed_and_work_give_the_same_plan_whatever_the_parameters_object(tiny):
    a = solve(tiny, MaxWork.for_seconds(0.05), seed=3).dumps()
    b = solve(tiny, MaxWork.for_seconds(0.05), seed=3, params=SolveParams()).dumps()
    assert a == b
    assert check(tiny, Plan.from_json(tiny, json.loads(a))) == ()


# -- check: problems as data ---------------------------------------------------------------------

def test_a_refusing_place_is_a_problem_with_its_values(tiny):
    doc = tiny_plan()
    for p in doc["placements"]:
        if p["party"] == "P2":
            p["place"] = "S1"  # a family with a child at the men's dormitory
    verdict = check_plan(tiny, doc)
    assert verdict.problems[0] == Violation("gender_refused", {"party": "P2", "place": "S1", "gender": "mixed"})
    assert verdict.errors[0] == "party P2 at S1: does not accept gender mixed"
    over = next(p for p in verdict.problems if p.code == "over_capacity")
    assert dict(over.values) == {"place": "S1", "n": 5, "beds": 3}
    assert over.message == "S1: 5 people for 3 beds"


def test_times_in_problems_are_on_the_hubs_clock(tiny):
    doc = tiny_plan()
    trip = next(t for t in doc["trips"] if t["driver"] == "D1")
    late = datetime.fromisoformat(trip["stops"][0]["arrive"]) + timedelta(hours=3)
    trip["stops"][0]["arrive"] = late.astimezone(timezone.utc).isoformat()  # said in UTC, shown on the hub's clock
    problem = next(p for p in check_plan(tiny, doc).problems if p.code == "stop_late")
    assert problem.values["at"].utcoffset() == timedelta(hours=1)
    assert problem.values["latest"] == datetime.fromisoformat("2018-01-15T23:30:00+01:00")
    assert (problem.values["driver"], problem.values["place"]) == ("D1", "H1")
    assert problem.message == f"trips[0].stops[0]: arrives {late:%H:%M:%S}, after 23:30:00"


def test_every_code_has_its_english():
    t = datetime(2018, 1, 15, 23, 0)
    values = {"party": "P1", "place": "S1", "placed": None, "driver": "D1", "path": "trips[0]", "n": 3, "beds": 2,
              "seats": 2, "gender": "f", "most": 2, "size": 3, "said": "'x'", "real": 1, "first": 2000, "last": 2100,
              "format": "nightstay.plan/1", "at": t, "earliest": t, "latest": t}
    for code in MESSAGES:
        times = {"said": t, "real": t} if code == "summary_time_untrue" else {}
        assert "{" not in Violation(code, {**values, **times}).message, code
    with pytest.raises(ValueError, match="unknown problem code"):
        Violation("no_such_code")


def test_a_places_refusal_names_the_rule_that_refuses(tiny):
    """``refusal`` says which part of ``Place.refuses`` a party breaks, and agrees with it."""
    rng = random.Random(0)
    places = list(tiny.places.values())
    langs = ["ar", "en", "fr", "ti"]
    for _ in range(300):
        p = dataclasses.replace(rng.choice(tiny.parties), size=rng.randint(1, 6), minor=rng.random() < 0.3,
                                gender=rng.choice(["m", "f", "mixed"]), languages=frozenset(rng.sample(langs, 1)))
        place = rng.choice(places)
        why, problem = place.refuses(p), refusal(place, p)
        assert (why is None) == (problem is None)
        if problem is not None:
            assert problem.message == f"party {p.id} at {place.id}: {why}"


# -- edit: a coordinator's move -----------------------------------------------------------------

@pytest.fixture
def two_homes():
    """Two driver hosts and a car: a man at H1; H2 waits for anyone, H3 takes no men."""
    doc = night([party("man"), party("woman", gender="f")],
                [host("H1", pickup="driver", beds=2), host("H2", pickup="driver", km_east=3.0, beds=2),
                 host("H3", pickup="driver", km_east=1.0, genders=("f", "mixed"))],
                drivers=[driver("D1", seats=2)])
    model = read_night(doc)
    return model, solve(model, MaxWork.for_seconds(0.05))


def test_a_party_moved_by_hand_rides_there(two_homes):
    model, plan = two_homes
    moved = edit(model, plan, "man", "H2")
    assert where(moved)["man"] == "H2"
    assert [s.parties for t in moved.trips for s in t.stops if s.place == "H2"] == [("man",)]
    assert check(model, moved) == ()
    assert moved.summary["sheltered"] == plan.summary["sheltered"]


def test_a_party_taken_out_is_unplaced(two_homes):
    model, plan = two_homes
    out = edit(model, plan, "man", None)
    assert "man" in out.unplaced and "man" not in where(out)
    assert check(model, out) == ()


@pytest.mark.parametrize("ticket, place, code, values", [
    ("man", "H3", "gender_refused", {"party": "man", "place": "H3", "gender": "m"}),
    ("nobody", None, "no_such_party", {"party": "nobody"}),
    ("man", "H9", "no_such_place", {"party": "man", "place": "H9"}),
])
def test_a_move_that_breaks_a_rule_is_refused_with_the_problem(two_homes, ticket, place, code, values):
    model, plan = two_homes
    with pytest.raises(Refusal) as refused:
        edit(model, plan, ticket, place)
    assert refused.value.problems[0] == Violation(code, values)


def test_a_move_no_car_can_make_is_refused():
    doc = night([party("man")], [host("H1", pickup="driver")], drivers=[driver("D1", until="21:05")])
    model = read_night(doc)
    with pytest.raises(Refusal) as refused:
        edit(model, solve(model, MaxWork(0)), "man", "H1")
    assert [p.code for p in refused.value.problems] == ["no_driver"]
