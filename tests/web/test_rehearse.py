"""The rehearsal: a whole night through the platform with random events, and what must always hold.

Small nights (the small-hub scenario scaled to 25-30 people, a short planner limit) keep it
fast; ``make rehearse-bench`` plays every scenario at full size.
"""
from __future__ import annotations

import io
from datetime import datetime, timedelta
from unittest import mock

import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase, override_settings
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from nightstay.demo import invariants
from nightstay.demo.rehearsal import Rehearsal
from nightstay.intake.models import Party
from nightstay.planner import MaxWork
from nightstay.planning.models import Placement, Trip

SMALL = ["--scenario", "small-hub", "--people", "30", "--newcomers", "8", "--time-limit", "0.2"]


class RehearseCommandTests(TestCase):
    def rehearse(self, *args) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command("rehearse", *args, stdout=out, stderr=err)
        except SystemExit as exc:
            return exc.code, out.getvalue(), err.getvalue()
        return 0, out.getvalue(), err.getvalue()

    def test_two_seeds_of_a_small_night_hold_every_invariant(self):
        for seed in ("1", "2"):
            code, out, _err = self.rehearse(*SMALL, "--seed", seed)
            self.assertEqual(code, 0, out)
            self.assertIn("every invariant held", out)
            self.assertIn("plan announced", out)
            self.assertIn("re-plan for", out)
            self.assertRegex(out, r"small-hub seed \d+: \d+ of \d+ people sheltered \(planning from scratch: \d+\)")
        self.assertFalse(Party.objects.exists())  # nothing of a rehearsal is kept

    def test_on_counted_work_a_night_holds_every_invariant(self):
        """``--deterministic`` (what ``make rehearse-bench`` uses): every plan stops after counted
        work, not on the clock, and the night is as sound."""
        with mock.patch("nightstay.planning.runs.MaxWork", wraps=MaxWork) as counted:
            code, out, _err = self.rehearse(*SMALL, "--seed", "4", "--deterministic")
        self.assertEqual(code, 0, out)
        self.assertIn("every invariant held", out)
        self.assertIn("re-plan for", out)
        self.assertGreaterEqual(counted.for_seconds.call_count, 2)  # the first plan and a re-plan at least

    def test_bad_arguments_exit_2_with_one_line_each(self):
        code, _out, err = self.rehearse("--scenario", "moon", "--time-limit", "0")
        self.assertEqual(code, 2)
        self.assertEqual(len(err.strip().splitlines()), 2)
        self.assertIn("--scenario: must be one of", err)


@override_settings(PLAN_TIME_LIMIT=0.1)
class InvariantsSeeBreakageTests(TestCase):
    """The checks are not vacuous: a night made wrong on purpose breaks them."""

    def test_a_trip_before_the_previous_is_back_and_an_over_full_host_are_caught(self):
        r = Rehearsal("small-hub", 3, time_limit=0.1, people=25, newcomers=0)
        start = datetime.fromisoformat(r.doc["window"]["start"])
        with time_machine.travel(start + timedelta(hours=2), tick=False), transaction.atomic():
            r.load()
            for p in r.doc["parties"]:
                r.arrive(p)
            r.plan_and_announce(start + timedelta(hours=2), first=True)
            now = start + timedelta(hours=2)
            self.assertEqual(invariants.check(r.night, now, fresh=True), [])
            trip = Trip.objects.filter(night=r.night).first()
            if trip is not None:
                Trip.objects.create(night=r.night, driver=trip.driver, seq=trip.seq + 1, depart=trip.depart,
                                    end="home", end_at=trip.end_at)
                self.assertTrue(any("before trip" in p for p in invariants.check(r.night, now)))
            home = Placement.objects.filter(night=r.night, home__isnull=False).select_related("home").first()
            if home is not None:
                for party in Party.objects.filter(night=r.night).exclude(placement__isnull=False)[:6]:
                    Placement.objects.create(night=r.night, party=party, home=home.home)
                self.assertTrue(any("host" in p for p in invariants.check(r.night, now)))
            transaction.set_rollback(True)


class NightMachine(RuleBasedStateMachine):
    """Random events in a random order on a small night; after each, every invariant holds."""

    def __init__(self):
        super().__init__()
        self.r = Rehearsal("small-hub", 5, time_limit=0.1, people=25, newcomers=6)
        self.start = datetime.fromisoformat(self.r.doc["window"]["start"])
        self.now = self.start + timedelta(hours=2)
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.traveller = time_machine.travel(self.now, tick=False)
        self.clock = self.traveller.start()
        self.r.load()
        self.waiting = sorted(self.r.doc["parties"], key=lambda p: p["waiting_since"])
        self.extra = list(self.r.doc["parties"][:6])
        self.planned = False
        for p in self.waiting:
            self.r.arrive(p)

    @rule()
    def plan_and_announce(self):
        self.r.plan_and_announce(self.now, first=not self.planned)
        self.planned = True

    @rule(minutes=st.sampled_from([5, 10, 20]))
    def time_passes(self, minutes):
        self.now += timedelta(minutes=minutes)
        self.clock.move_to(self.now)
        if self.planned:
            self.r.move_cars(self.now)

    @precondition(lambda self: self.planned)
    @rule()
    def host_cancels(self):
        self.r.host_cancels()

    @precondition(lambda self: self.planned)
    @rule()
    def driver_absent(self):
        self.r.absent_driver()

    @precondition(lambda self: self.planned)
    @rule()
    def car_late(self):
        self.r.late_car()

    @precondition(lambda self: self.planned)
    @rule()
    def party_leaves(self):
        self.r.party_leaves()

    @precondition(lambda self: self.planned)
    @rule()
    def party_not_found(self):
        self.r.not_found()

    @precondition(lambda self: self.planned and self.extra)
    @rule()
    def newcomer(self):
        self.r.newcomer(self.extra.pop())

    @invariant()
    def every_invariant_holds(self):
        problems = invariants.check(self.r.night, self.now) + self.r.report.broken
        assert not problems, problems

    def teardown(self):
        self.traveller.stop()
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)


@override_settings(PLAN_TIME_LIMIT=0.1)
class StatefulNightTests(TestCase):
    def test_random_events_never_break_the_night(self):
        run_state_machine_as_test(NightMachine, settings=settings(
            max_examples=3, stateful_step_count=12, deadline=None, derandomize=True,
            suppress_health_check=list(HealthCheck)))
