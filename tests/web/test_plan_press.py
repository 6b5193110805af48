"""Pressing Plan only queues the run: the worker builds tonight's night, as of when it runs it.

A coordinator on a weak signal waits on the press; building the night document reads the
whole night (seconds on a big night under load, benchmarks/results/network-evening.md), so
the web request must not do it. The task backend here only records what is enqueued
(``DummyBackend``): nothing runs inline, and the test plays the worker with
``runs.execute.call``.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from unittest import mock

import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from nightstay.hubs.models import Night
from nightstay.intake.models import Party
from nightstay.planning import nightfile, runs
from nightstay.planning.models import PlanRun

from .test_board import BRUSSELS, NINE_PM, TonightTestCase

QUEUED_ONLY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
NIGHT_TABLES = ("intake_party", "pledges_bedpledge", "pledges_seatpledge", "planning_placement")


@override_settings(TASKS=QUEUED_ONLY)
class PressTests(TonightTestCase):
    def press(self) -> list[str]:
        """The SQL of one press of Plan (the form without htmx, as the benchmark's phone sends it)."""
        with CaptureQueriesContext(connection) as queries:
            r = self.client.post(self.url("plan"))
        self.assertRedirects(r, self.url("board"), fetch_redirect_response=False)
        return [q["sql"] for q in queries.captured_queries]

    def test_the_press_answers_without_building_the_night(self):
        self.log_in(self.colette)
        small = self.press()
        run = PlanRun.objects.get()
        self.assertEqual((run.status, run.night_json), (PlanRun.Status.QUEUED, None))
        PlanRun.objects.all().delete()
        since = NINE_PM - timedelta(hours=1)
        Party.objects.bulk_create([Party(night=self.night, ticket=f"M{i:03d}", size=1, gender="m", waiting_since=since)
                                   for i in range(80)])
        big = self.press()
        self.assertEqual(len(big), len(small), "the press grew with the night")
        read = [sql for sql in big if any(f'"{table}"' in sql for table in NIGHT_TABLES)]
        self.assertEqual(read, [], "the press read the night")

    def test_the_worker_builds_the_night_as_it_is_when_it_runs(self):
        self.log_in(self.colette)
        self.press()  # 21:00
        run = PlanRun.objects.get()
        later = datetime(2026, 11, 24, 21, 10, tzinfo=BRUSSELS)
        Party.objects.create(night=self.night, ticket="LATE", size=1, gender="m", waiting_since=later)
        with time_machine.travel(later + timedelta(minutes=5), tick=False):  # the worker takes the run at 21:15
            runs.execute.call(str(run.pk))
        run.refresh_from_db()
        self.assertEqual(run.status, PlanRun.Status.DONE, run.error)
        self.assertEqual(run.night_json["window"]["start"], "2026-11-24T21:15:00+01:00")
        self.assertIn("LATE", [p["id"] for p in run.night_json["parties"]])
        self.assertIn("LATE", [p["party"] for p in run.plan_json["placements"]])
        r = self.client.get(self.url("night_file"))  # the download is the night the plan was made from
        self.assertEqual(json.loads(r.content), run.night_json)

    def test_a_run_being_built_is_running_and_beats(self):
        self.log_in(self.colette)
        self.press()
        run = PlanRun.objects.get()
        seen = []

        def build(night, at=None):
            seen.append(PlanRun.objects.values_list("status", "heartbeat_at").get(pk=run.pk))
            return real_build(night, at)

        real_build = nightfile.build
        with mock.patch("nightstay.planning.nightfile.build", side_effect=build):
            runs.execute.call(str(run.pk))
        [(status, heartbeat)] = seen
        self.assertEqual(status, PlanRun.Status.RUNNING)  # the board shows "Planning", reap watches its heartbeat
        self.assertIsNotNone(heartbeat)
        self.assertEqual(PlanRun.objects.get().status, PlanRun.Status.DONE)

    def test_a_night_the_planner_refuses_fails_the_run_with_its_problems(self):
        from nightstay.planner.read import NightError

        self.log_in(self.colette)
        self.press()
        run = PlanRun.objects.get()
        with mock.patch("nightstay.planning.nightfile.read_night", side_effect=NightError(["hosts[0]: bad"])):
            runs.execute.call(str(run.pk))
        run.refresh_from_db()
        self.assertEqual((run.status, run.error, run.night_json), (PlanRun.Status.FAILED, "hosts[0]: bad", None))
        r = self.client.get(self.url("plan_status"), headers={"HX-Request": "true"})
        self.assertContains(r, "The planner failed")
        self.assertNotContains(r, "every 1s")

    def test_a_run_waiting_its_turn_behind_a_busy_worker_is_not_given_up(self):
        self.log_in(self.colette)
        self.press()  # 21:00; the worker is busy with another hub's night
        other = Night.for_date(self.hub, self.today - timedelta(days=1))
        busy = PlanRun.objects.create(night=other, status=PlanRun.Status.RUNNING, night_json={})
        at = datetime(2026, 11, 24, 21, 1, 30, tzinfo=BRUSSELS)  # 90 s queued
        PlanRun.objects.filter(pk=busy.pk).update(heartbeat_at=at - timedelta(seconds=1))
        with time_machine.travel(at, tick=False):
            self.assertEqual(runs.reap(self.night), 0)
        with time_machine.travel(at + runs.QUEUED_STALE + timedelta(seconds=1), tick=False):  # no worker beat since
            self.assertEqual(runs.reap(self.night), 1)
        run = self.night.plan_runs.get()
        self.assertEqual((run.status, run.error), (PlanRun.Status.FAILED, runs.NO_WORKER))
