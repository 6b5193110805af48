"""Nights built to break plans: every one must get a plan the reference checker accepts.

Each ``nights/NAME.json`` is a small night whose name says what it attacks (a self-pickup host
whose last guest arrives late, a driver with time for the meeting point but not for home, times
written with different UTC offsets, ...). Its sidecar ``nights/NAME.expect.json`` says why, and
what the best plan achieves by the format's first criteria, worked out by hand: the solver's plan
must rank at least as well on them, in the format's order (and on a night planned again, change
no more announced placements than ``announced_changed`` when it shelters as many).

Adding a night is dropping two files in the folder; nothing here needs to change.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from nightstay.planner import MaxWork, read_night, solve
from nightstay.planner.greedy import greedy
from tests.planner.reference import assert_valid, reference_check, reference_rank_key

NIGHTS = Path(__file__).parent / "nights"
# The format's order of what makes a plan better, for the criteria a sidecar may state.
RANKED = ("vulnerable_sheltered", "sheltered", "rotation", "returning_honoured")
SUMMARY_KEYS = ("people", "sheltered", "vulnerable_sheltered", "rotation", "returning_honoured", "last_arrival",
                "driver_km")


# Nights the solver is known to fail, with the failure; remove an entry once it is fixed.
KNOWN_FAILURES: dict[str, str] = {}


def _nights() -> list:
    out = []
    for path in sorted(NIGHTS.glob("*.json")):
        if path.name.endswith(".expect.json"):
            continue
        name = path.stem
        marks = [pytest.mark.xfail(strict=False, reason=KNOWN_FAILURES[name])] if name in KNOWN_FAILURES else []
        out.append(pytest.param(name, id=name, marks=marks))
    return out


def _load(name: str) -> tuple[dict, dict]:
    night = json.loads((NIGHTS / f"{name}.json").read_text())
    sidecar = NIGHTS / f"{name}.expect.json"
    expect = json.loads(sidecar.read_text()) if sidecar.is_file() else {}
    return night, expect


@pytest.mark.parametrize("name", _nights())
def test_the_plan_is_valid_truthful_and_as_good_as_the_best_by_hand(name):
    night_doc, expect = _load(name)
    plan = solve(read_night(night_doc), MaxWork.for_seconds(0.5), seed=0).to_json()

    score = assert_valid(night_doc, plan)

    summary = plan["summary"]
    missing = [k for k in SUMMARY_KEYS if k not in summary]
    assert not missing, f"summary leaves out {missing}"
    for key in ("people", "sheltered", "vulnerable_sheltered", "rotation", "returning_honoured"):
        assert summary[key] == score[key], f"summary.{key} says {summary[key]}, the plan gives {score[key]}"

    errors, theirs = reference_check(night_doc, greedy(read_night(night_doc)).to_json())
    if not errors:  # never below the coordinators' greedy, in the format's order
        assert reference_rank_key(score) <= reference_rank_key(theirs), f"{name}: the greedy's plan ranks better"

    got = tuple(score[k] for k in RANKED if k in expect)
    best = tuple(expect[k] for k in RANKED if k in expect)
    assert got >= best, (
        f"{name}: the plan gives {dict(zip([k for k in RANKED if k in expect], got))}, "
        f"a plan with {dict(zip([k for k in RANKED if k in expect], best))} exists: {expect.get('why', '')}")
    if "announced_changed" in expect and got == best:  # a night planned again: no change for nothing
        assert score["announced_changed"] <= expect["announced_changed"], (
            f"{name}: the plan changes {score['announced_changed']} announced placements, "
            f"{expect['announced_changed']} are enough: {expect['why']}")


def test_every_night_is_a_valid_night_with_a_reason():
    """A broken night file would test the reader, not the solver."""
    for path in sorted(NIGHTS.glob("*.json")):
        if path.name.endswith(".expect.json"):
            continue
        read_night(json.loads(path.read_text()))
        sidecar = path.with_name(f"{path.stem}.expect.json")
        assert sidecar.is_file(), f"{path.name} has no sidecar saying what it attacks"
        assert json.loads(sidecar.read_text()).get("why"), f"{sidecar.name} does not say why"
