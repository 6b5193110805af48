"""nightstay's plan checker agrees with the format's reference checker, rule by rule.

Each case of check_cases.py breaks (or harmlessly bends) one rule of the tiny night's
hand-built plan; both checkers must reach the same verdict, and on valid plans the same
score and the same ranking.
"""
from __future__ import annotations

import pytest

from nightstay.planner.check import check_plan, rank_key
from nightstay.planner.read import read_night

from .check_cases import (BENT, BROKEN, arrives_after_latest, bent, departs_too_early, end_nowhere,
                          fixed_not_kept, no_trip_to_a_driver_host, over_full_host, party_twice,
                          placement_without_arrive, reference_valid, refused_gender, refused_language,
                          stops_as_text, summary_as_text, time_without_offset, trip_overload, wrong_sheltered)
from .reference import assert_valid, reference_rank_key
from .tiny_night import tiny_night, tiny_plan


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
