"""The planner in a real worker process (`manage.py db_worker`), as `make run` and production run it.

The worker is a second process on the test database, so the data must be committed
(TransactionTestCase) and the database a server: the tests' SQLite lives in memory, where
no other process can see it, so these tests run on PostgreSQL (`.ci/run`, DATABASE_URL).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test import TransactionTestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from nightstay.hubs.models import Night
from nightstay.intake.models import Party
from nightstay.planning import runs
from nightstay.planning.models import PlanRun

from .base import MANAGE_AT_CLOCK, HubTestCase

ROOT = Path(__file__).resolve().parents[2]
QUEUED = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.postgres
@override_settings(TASKS=QUEUED)
class RealWorkerTests(TransactionTestCase):
    def setUp(self):
        if connection.vendor != "postgresql":
            self.skipTest("a worker process cannot see the tests' in-memory SQLite; runs on PostgreSQL")
        # The test and its worker both run on a clock that starts at 21:00 of the night under way
        # (before noon, last night's): the worker builds the night as of its own now, and on the
        # real clock, from the small hours to noon, the night's places had closed and the plan
        # placed nobody (0 of 3, at 00:50). The worker's clock is started at the test's own
        # now when it starts, so heartbeats and the board's "worker stopped" agree.
        evening = timezone.make_aware(datetime.combine(Night.day_of(), datetime.min.time())) + timedelta(hours=21)
        clock = time_machine.travel(evening, tick=True)
        clock.start()
        self.addCleanup(clock.stop)
        HubTestCase.setUpTestData.__func__(type(self))
        self.night = Night.for_date(self.hub, Night.day_of(evening))
        for i in range(3):
            Party.objects.create(night=self.night, ticket=f"MEN{i}", size=1, gender="m", waiting_since=evening)
        HubTestCase.log_in(self, self.colette)

    def worker(self, seconds: float) -> subprocess.Popen:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "nightstay.site.settings", "DATABASE_URL": database_url(),
               "PLAN_TIME_LIMIT": str(seconds)}
        proc = subprocess.Popen([sys.executable, "-c", MANAGE_AT_CLOCK, timezone.now().isoformat(),
                                 "db_worker", "--interval", "0.2", "--no-startup-delay"],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.addCleanup(lambda: (proc.poll() is None and proc.kill(), proc.wait()))
        return proc

    def plan(self) -> PlanRun:
        self.client.post(reverse("plan", kwargs={"hub": "brussels"}), headers={"HX-Request": "true"})
        return self.night.plan_runs.order_by("-created_at").first()

    def wait_for(self, run: PlanRun, *statuses: str, within: float) -> PlanRun:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.status in statuses:
                return run
            time.sleep(0.1)
        self.fail(f"run still {run.status} after {within} s")

    def board(self, slug: str = "brussels") -> str:
        r = self.client.get(reverse("plan_status", kwargs={"hub": slug}), headers={"HX-Request": "true"})
        return r.content.decode()

    def test_a_plan_goes_through_a_worker_process(self):
        self.worker(0.5)
        run = self.plan()
        self.assertEqual(run.status, PlanRun.Status.QUEUED)  # the web request only queued it
        run = self.wait_for(run, PlanRun.Status.DONE, PlanRun.Status.FAILED, within=30)
        self.assertEqual(run.status, PlanRun.Status.DONE, run.error)
        self.assertEqual(len(run.plan_json["placements"]), 3)
        self.assertIn("3 of 3 people sheltered", self.board())

    def big_night(self) -> tuple[Night, str]:
        """A whole Brussels night (~470 people) waiting tonight, as its own hub, its coordinator
        logged in; the night's window holds this moment (the worker builds it as of now)."""
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from nightstay.demo.rehearsal import Rehearsal

        rehearsal = Rehearsal("normal", seed=1)
        window = rehearsal.doc["window"]  # the demo night, moved to tonight, as benchmarks/network_evening.py does
        shift = Night.day_of() - date.fromisoformat(window["start"][:10])
        for key in ("start", "end"):
            window[key] = (datetime.fromisoformat(window[key]) + shift).isoformat()
        rehearsal.load()
        for p in rehearsal.doc["parties"]:
            rehearsal.arrive(p)
        now = timezone.now()
        night = rehearsal.night
        Night.objects.filter(pk=night.pk).update(start=min(night.start, now), end=max(night.end, now + timedelta(hours=4)))
        TOTPDevice.objects.create(user=rehearsal.coordinator, name="phone", confirmed=True)
        HubTestCase.log_in(self, rehearsal.coordinator)
        return night, rehearsal.hub.slug

    def test_a_worker_killed_mid_plan_leaves_no_run_stuck(self):
        # The worker builds the big night, then its search uses all its 60 s: the kill lands mid-run.
        night, slug = self.big_night()
        run = PlanRun.objects.create(night=night, created_by=self.colette)
        runs.execute.enqueue(str(run.pk))
        proc = self.worker(60)
        run = self.wait_for(run, PlanRun.Status.RUNNING, within=30)
        beat, deadline = run.heartbeat_at, time.monotonic() + runs.HEARTBEAT_STALE.total_seconds()
        while run.heartbeat_at == beat:  # the next heartbeat, waited for: not a wall-clock age a busy machine stretches
            self.assertLess(time.monotonic(), deadline, "no heartbeat")
            time.sleep(0.1)
            run.refresh_from_db()
        self.assertIn("Planning", self.board(slug))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        killed = time.monotonic()
        while "The planning worker stopped" not in self.board(slug):  # what the board's 1 s poll asks
            self.assertLess(time.monotonic() - killed, 10, "the board still says the plan is running")
            time.sleep(0.5)
        print(f"the board said the worker stopped {time.monotonic() - killed:.1f} s after the kill")
        run.refresh_from_db()
        self.assertEqual((run.status, run.error), (PlanRun.Status.FAILED, runs.WORKER_STOPPED))
        self.worker(0.5)  # the next Plan works
        HubTestCase.log_in(self, self.colette)
        again = self.wait_for(self.plan(), PlanRun.Status.DONE, within=30)
        self.assertNotEqual(again.pk, run.pk)
