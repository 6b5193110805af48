"""Tonight's board: counts, the planner's proposal and its runs; and the night the board's tests share.

Pins and moves are tested in test_board_moves.py, announcing and who came to the park in
test_board_announce.py.
"""
from __future__ import annotations

from datetime import datetime, time
from unittest import mock
from zoneinfo import ZoneInfo

import time_machine
from django.test import override_settings
from django.urls import reverse

from nightstay.planning import runs
from nightstay.planning.models import PlanRun, Trip
from nightstay.hubs.models import Night
from nightstay.intake.models import Party
from nightstay.pledges.models import BedPledge, SeatPledge

from .base import HubTestCase

BRUSSELS = ZoneInfo("Europe/Brussels")
NINE_PM = datetime(2026, 11, 24, 21, 0, tzinfo=BRUSSELS)


@override_settings(PLAN_TIME_LIMIT=0.1)
class TonightTestCase(HubTestCase):
    """Tonight in Brussels: Hugo's two beds (a driver brings guests), Béa's two (she picks up),
    Dara's car, the dormitory for men; a family and a woman alone (both vulnerable), two men."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.night = Night.for_date(cls.hub, cls.today)
        cls.hugo_beds = BedPledge.objects.create(home=cls.hugo_home, beds=2, pickup="driver", first_date=cls.today,
                                                 ready_from=time(21), latest_arrival=time(23, 30))
        cls.bea_beds = BedPledge.objects.create(home=cls.bea_home, beds=2, pickup="self", first_date=cls.today,
                                                ready_from=time(21), latest_arrival=time(23, 30))
        cls.dara_seats = SeatPledge.objects.create(hub=cls.hub, driver=cls.dara, seats=3, first_date=cls.today,
                                                   available_from=time(20, 30), available_until=time(0, 30),
                                                   home_lat=50.85, home_lon=4.40)
        since = datetime(2026, 11, 24, 20, 0, tzinfo=BRUSSELS)
        cls.family = Party.objects.create(night=cls.night, ticket="FAMY", size=2, gender="mixed", vulnerable=True,
                                          languages="ar,en", waiting_since=since, nickname="Amal")
        cls.woman = Party.objects.create(night=cls.night, ticket="WUMA", size=1, gender="f", vulnerable=True,
                                         languages="ti", waiting_since=since)
        cls.man1 = Party.objects.create(night=cls.night, ticket="MENA", size=1, gender="m", waiting_since=since)
        cls.man2 = Party.objects.create(night=cls.night, ticket="MENC", size=1, gender="m", waiting_since=since)

    def setUp(self):
        traveller = time_machine.travel(NINE_PM)  # ticking: runs made one after the other are ordered
        traveller.start()
        self.addCleanup(traveller.stop)

    def url(self, name: str, **kwargs) -> str:
        return reverse(name, kwargs={"hub": "brussels", **kwargs})

    def plan_now(self) -> PlanRun:
        return runs.start(self.night, self.colette)

    def place_of(self, ticket: str) -> str:
        run = runs.proposal(self.night)
        return next(p["place"] for p in run.plan_json["placements"] if p["party"] == ticket)

    def assert_refused_to_all_but_coordinators(self, url: str, method: str = "get") -> None:
        send = getattr(self.client, method)
        self.client.logout()
        r = send(url)
        self.assertEqual(r.status_code, 302)
        self.assertIn(reverse("login"), r["Location"])
        for user in (self.pia, self.hugo, self.dara, self.bea, self.otto):
            self.log_in(user)
            self.assertEqual(send(url).status_code, 404, user.first_name)
        self.log_in(self.cyril)
        r = send(url)
        self.assertEqual(r.status_code, 302)
        self.assertTrue(r["Location"].startswith(reverse("two_factor")), r["Location"])


class BoardTests(TonightTestCase):
    def test_it_refuses_everyone_but_coordinators(self):
        self.assert_refused_to_all_but_coordinators(self.url("board"))
        self.assert_refused_to_all_but_coordinators(self.url("plan_status"))
        for name in ("plan", "pin", "move", "announce", "at_park"):
            self.assert_refused_to_all_but_coordinators(self.url(name), "post")

    def test_it_shows_tonight(self):
        self.log_in(self.colette)
        r = self.client.get(self.url("board"))
        self.assertContains(r, "FAMY")
        self.assertContains(r, "<b>4</b> beds", html=False)
        self.assertContains(r, "<b>3</b> seats", html=False)
        self.assertContains(r, "Dara")  # expected at the park
        self.assertContains(r, "No plan yet")
        self.assertNotContains(r, "Rue du Trône")

    def test_admin_sees_it_too(self):
        self.log_in(self.adele)
        self.assertEqual(self.client.get(self.url("board")).status_code, 200)

    def test_plan_shows_the_proposal(self):
        self.log_in(self.colette)
        r = self.client.post(self.url("plan"), headers={"HX-Request": "true"})
        self.assertTemplateUsed(r, "planning/_proposal.html")
        self.assertTemplateNotUsed(r, "dispatch/board.html")
        run = PlanRun.objects.get(night=self.night)
        self.assertEqual(run.status, PlanRun.Status.DONE)
        self.assertEqual(run.plan_json["summary"]["sheltered"], 5)
        self.assertContains(r, "5 of 5 people sheltered")
        self.assertContains(r, "Dara")
        self.assertContains(r, "Porte d&#x27;Ulysse")
        self.assertNotContains(r, "every 1s")
        self.assertContains(r, f'action="{self.url("announce")}"')  # no reload needed to announce

    def test_plan_without_htmx_goes_back_to_the_board(self):
        self.log_in(self.colette)
        r = self.client.post(self.url("plan"))
        self.assertRedirects(r, self.url("board"))
        r = self.client.get(self.url("board"))
        self.assertContains(r, "MENA")
        self.assertContains(r, "Announce")

    @override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}})
    def test_plan_only_queues_the_solve_for_a_worker(self):
        self.log_in(self.colette)
        r = self.client.post(self.url("plan"), headers={"HX-Request": "true"})
        run = PlanRun.objects.get(night=self.night)
        self.assertEqual(run.status, PlanRun.Status.QUEUED)
        self.assertContains(r, 'hx-trigger="every 1s"')
        self.assertContains(r, "Waiting for the planning worker")
        runs.execute.call(str(run.pk))  # what the worker does
        runs.execute.call(str(run.pk))  # a second delivery of the same task changes nothing
        r = self.client.get(self.url("plan_status"), headers={"HX-Request": "true"})
        self.assertNotContains(r, "every 1s")
        self.assertContains(r, "5 of 5 people sheltered")
        self.assertEqual(PlanRun.objects.get().status, PlanRun.Status.DONE)

    @override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}})
    def test_a_run_no_worker_takes_says_so(self):
        self.log_in(self.colette)
        with time_machine.travel(datetime(2026, 11, 24, 20, 50, tzinfo=BRUSSELS), tick=False):
            self.client.post(self.url("plan"))
        r = self.client.get(self.url("plan_status"), headers={"HX-Request": "true"})
        self.assertContains(r, "The planning worker stopped; press Plan again.")

    def test_a_silent_worker_is_given_up_after_five_seconds(self):
        run = PlanRun.objects.create(night=self.night, status=PlanRun.Status.RUNNING, night_json={})
        PlanRun.objects.filter(pk=run.pk).update(heartbeat_at=NINE_PM)
        self.log_in(self.colette)
        with time_machine.travel(datetime(2026, 11, 24, 21, 0, 4, tzinfo=BRUSSELS), tick=False):
            r = self.client.get(self.url("plan_status"), headers={"HX-Request": "true"})
        self.assertContains(r, "Planning")
        with time_machine.travel(datetime(2026, 11, 24, 21, 0, 6, tzinfo=BRUSSELS), tick=False):
            r = self.client.get(self.url("plan_status"), headers={"HX-Request": "true"})
        self.assertContains(r, "The planning worker stopped; press Plan again.")
        self.assertEqual(PlanRun.objects.get().error, runs.WORKER_STOPPED)

    def test_one_run_at_a_time(self):
        running = PlanRun.objects.create(night=self.night, status=PlanRun.Status.RUNNING, night_json={})
        self.log_in(self.colette)
        self.client.post(self.url("plan"), headers={"HX-Request": "true"})
        self.assertEqual(PlanRun.objects.get(), running)

    def test_a_run_dead_for_minutes_does_not_block(self):
        with time_machine.travel(datetime(2026, 11, 24, 20, 50, tzinfo=BRUSSELS), tick=False):
            PlanRun.objects.create(night=self.night, status=PlanRun.Status.RUNNING, night_json={})
        self.log_in(self.colette)
        self.client.post(self.url("plan"))
        self.assertEqual(PlanRun.objects.filter(status=PlanRun.Status.DONE).count(), 1)
        self.assertEqual(PlanRun.objects.filter(status=PlanRun.Status.FAILED).count(), 1)

    def test_a_failed_run_says_so(self):
        self.log_in(self.colette)
        with mock.patch("nightstay.planning.runs.solve", side_effect=RuntimeError("boom")):
            r = self.client.post(self.url("plan"), headers={"HX-Request": "true"})
        self.assertContains(r, "The planner failed")
        self.assertEqual(PlanRun.objects.get().status, PlanRun.Status.FAILED)


class OutOfDateTests(TonightTestCase):
    def test_a_plan_whose_driver_left_is_not_announced(self):
        self.plan_now()
        self.dara_seats.delete()
        self.log_in(self.colette)
        r = self.client.post(self.url("announce"), follow=True)
        self.assertContains(r, "plan again")
        self.assertFalse(Trip.objects.exists())

    def test_a_night_document_the_planner_refuses_fails_the_run_not_the_page(self):
        from nightstay.planner.read import NightError

        self.log_in(self.colette)
        with mock.patch("nightstay.planning.nightfile.read_night", side_effect=NightError(["hosts[0]: bad"])):
            r = self.client.post(self.url("plan"), headers={"HX-Request": "true"})
        self.assertContains(r, "The planner failed")
        self.assertEqual(PlanRun.objects.get().error, "hosts[0]: bad")


class StaleRunTests(TonightTestCase):
    def test_the_board_stops_polling_a_run_whose_thread_died(self):
        with time_machine.travel(datetime(2026, 11, 24, 20, 50, tzinfo=BRUSSELS), tick=False):
            PlanRun.objects.create(night=self.night, status=PlanRun.Status.RUNNING, night_json={})
        self.log_in(self.colette)
        r = self.client.get(self.url("plan_status"), headers={"HX-Request": "true"})
        self.assertNotContains(r, "every 1s")


class HomeLinkTests(TonightTestCase):
    def test_each_role_finds_its_page_from_home(self):
        for user, name in ((self.colette, "board"), (self.hugo, "host_tonight"), (self.dara, "driver_tonight")):
            self.log_in(user)
            self.assertContains(self.client.get(reverse("home")), self.url(name))
        self.log_in(self.otto)
        self.assertNotContains(self.client.get(reverse("home")), self.url("board"))
