"""The OR-Tools yardstick must itself be sound, or beating it proves nothing.

``benchmarks/ortools_reference.py`` is what nightstay's plans are ranked against; these tests
hold it to the same rules as the solver (the reference checker accepts its plans, and on small
nights whose best plan is known by hand it finds that plan), and check that ``compare`` names
the criterion that decides, in the format's order.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.compare import Judged, verdict
from benchmarks.ortools_reference import solve_reference
from nightstay.planner.read import read_night
from tests.planner.reference import assert_valid, reference_module

NIGHTS = Path(__file__).parent / "nights"
RANKED = ("vulnerable_sheltered", "sheltered", "rotation", "returning_honoured")


@pytest.mark.parametrize("name", ["drive_shelter_only", "vulnerable_needs_second_trip", "two_offsets_timezones",
                                  "fixed_at_driver_host", "men_bin_packing"])
def test_the_reference_plan_is_valid_and_as_good_as_the_best_by_hand(name):
    night_doc = json.loads((NIGHTS / f"{name}.json").read_text())
    expect = json.loads((NIGHTS / f"{name}.expect.json").read_text())

    score = assert_valid(night_doc, solve_reference(read_night(night_doc), 0.5).to_json())

    assert tuple(score[k] for k in RANKED if k in expect) >= tuple(expect[k] for k in RANKED if k in expect)


def _score(**overrides) -> dict:
    score = {"vulnerable_sheltered": 3, "sheltered": 10, "rotation": 5, "returning_honoured": 1,
             "last_arrival": "2018-01-15T22:00:00+01:00", "driver_km": 40.0}
    score.update(overrides)
    return score


def test_compare_names_the_first_criterion_that_differs():
    checker = reference_module()
    ours = Judged([], _score(sheltered=11, vulnerable_sheltered=2), 1.0)
    ref = Judged([], _score(), 10.0)
    assert verdict(checker, ours, ref) == ("reference", "vulnerable (1)")
    assert verdict(checker, Judged([], _score(driver_km=30.0), 1.0), ref) == ("nightstay", "driver km (10)")
    assert verdict(checker, Judged([], _score(), 1.0), ref) == ("tie", "-")


def test_compare_ranks_an_invalid_plan_below_any_valid_one():
    checker = reference_module()
    invalid = Judged(["trips[0]: 5 people in 4 seats"], _score(sheltered=99), 1.0)
    assert verdict(checker, invalid, Judged([], _score(sheltered=0), 10.0)) == ("reference", "validity")
