"""Tonight's board: counts, the planner's proposal, pins, moves, announcing, who came to the park."""
from __future__ import annotations

from datetime import datetime, time
from unittest import mock
from zoneinfo import ZoneInfo

import segno
import time_machine
from django.test import override_settings
from django.urls import reverse

from nightstay.planning import runs
from nightstay.dispatch.models import ParkArrival, RunSheetGrant
from nightstay.planning.models import Placement, PlanRun, Stop, Trip
from nightstay.planning.nightfile import home_id, shelter_id
from nightstay.hubs.models import Night
from nightstay.intake.models import Party
from nightstay.pledges.models import BedPledge, SeatPledge

from .base import HubTestCase

BRUSSELS = ZoneInfo("Europe/Brussels")
NINE_PM = datetime(2026, 11, 24, 21, 0, tzinfo=BRUSSELS)


@override_settings(PLAN_IN_BACKGROUND=False, PLAN_TIME_LIMIT=0.1)
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

    @override_settings(PLAN_IN_BACKGROUND=True)
    def test_in_the_browser_it_plans_in_a_thread(self):
        self.log_in(self.colette)
        with mock.patch("nightstay.planning.runs.threading.Thread") as thread:
            r = self.client.post(self.url("plan"), headers={"HX-Request": "true"})
        run = PlanRun.objects.get(night=self.night)
        thread.assert_called_once_with(target=runs._in_thread, args=(run.pk,), daemon=True, name=mock.ANY)
        thread.return_value.start.assert_called_once()
        self.assertContains(r, 'hx-trigger="every 1s"')
        self.assertContains(r, "Planning")
        runs.execute(run.pk)
        r = self.client.get(self.url("plan_status"), headers={"HX-Request": "true"})
        self.assertNotContains(r, "every 1s")
        self.assertContains(r, "5 of 5 people sheltered")

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


class PinAndMoveTests(TonightTestCase):
    def setUp(self):
        super().setUp()
        self.plan_now()
        self.log_in(self.colette)

    def test_pin_keeps_a_placement_through_replanning(self):
        place = self.place_of("WUMA")
        r = self.client.post(self.url("pin"), {"party": "WUMA"}, headers={"HX-Request": "true"})
        self.assertEqual(r.status_code, 200)
        pin = Placement.objects.get(party=self.woman)
        self.assertTrue(pin.pinned)
        self.assertFalse(pin.announced)
        self.plan_now()
        run = runs.proposal(self.night)
        self.assertIn({"party": "WUMA", "place": place}, run.night_json["fixed"])
        self.assertEqual(self.place_of("WUMA"), place)

    def test_pin_of_an_unknown_party_is_refused(self):
        r = self.client.post(self.url("pin"), {"party": "ZZZZ"}, headers={"HX-Request": "true"})
        self.assertContains(r, "no place in the plan")
        self.assertFalse(Placement.objects.exists())

    def test_move_takes_a_party_out_and_back(self):
        r = self.client.post(self.url("move"), {"party": "mena", "place": "-"}, headers={"HX-Request": "true"})
        self.assertNotContains(r, "role=\"alert\"")
        self.assertIn("MENA", runs.proposal(self.night).plan_json["unplaced"])
        dorm = shelter_id(self.dormitory)
        self.client.post(self.url("move"), {"party": "MENA", "place": dorm}, headers={"HX-Request": "true"})
        self.assertEqual(self.place_of("MENA"), dorm)
        self.assertTrue(Placement.objects.get(party=self.man1).pinned)

    def test_a_move_that_breaks_a_rule_is_refused_with_the_rule(self):
        family_home = self.place_of("FAMY")
        before = runs.proposal(self.night)
        r = self.client.post(self.url("move"), {"party": "MENA", "place": family_home},
                             headers={"HX-Request": "true"})
        self.assertContains(r, 'role="alert"')
        self.assertContains(r, "Ixelles")  # the place by its name, not its id
        self.assertContains(r, 'value="MENA"')  # what was typed is still there
        self.assertEqual(runs.proposal(self.night), before)
        self.assertFalse(Placement.objects.exists())

    def test_a_woman_is_not_moved_to_the_mens_dormitory(self):
        r = self.client.post(self.url("move"), {"party": "WUMA", "place": shelter_id(self.dormitory)},
                             headers={"HX-Request": "true"})
        self.assertContains(r, "takes no women")  # the rule in words, not the planner's codes

    def test_bad_input_says_why_on_the_board(self):
        r = self.client.post(self.url("move"), {"party": "NOPE", "place": "H-nowhere"}, follow=True)
        self.assertEqual(r.redirect_chain[-1][0], self.url("board") + "?p=NOPE")
        self.assertContains(r, "No party with this ticket")

    def test_move_without_a_plan(self):
        PlanRun.objects.all().delete()
        r = self.client.post(self.url("move"), {"party": "MENA", "place": "-"})
        self.assertRedirects(r, self.url("board"))


class AnnounceTests(TonightTestCase):
    def test_announce_without_a_plan_is_refused(self):
        self.log_in(self.colette)
        r = self.client.post(self.url("announce"), follow=True)
        self.assertContains(r, "there is no plan yet")
        self.night.refresh_from_db()
        self.assertEqual(self.night.status, Night.Status.OPEN)

    def test_announce_writes_tonight(self):
        self.plan_now()
        self.log_in(self.colette)
        r = self.client.post(self.url("announce"), follow=True)
        self.assertContains(r, "Announced")
        self.night.refresh_from_db()
        self.assertEqual(self.night.status, Night.Status.ANNOUNCED)
        self.assertEqual(Placement.objects.filter(announced=True).count(), 4)
        self.assertEqual(set(Party.objects.values_list("status", flat=True)), {Party.Status.PLACED})
        trip = Trip.objects.get()
        self.assertEqual(trip.driver, self.dara)
        stop = Stop.objects.get()
        self.assertEqual(stop.home, self.hugo_home)
        self.assertEqual(set(stop.placements.values_list("party__ticket", flat=True)),
                         {p for p, place in self._places().items() if place == home_id(self.hugo_home)})
        grant = RunSheetGrant.objects.get()
        self.assertEqual(grant.driver, self.dara)
        self.assertNotContains(r, grant.token())  # the board says the link's state, never the link
        self.assertContains(r, "Dara:\n      not opened")

    def _places(self):
        run = runs.proposal(self.night)
        return {p["party"]: p["place"] for p in run.plan_json["placements"]}

    def test_announcing_again_keeps_one_link_and_one_placement_each(self):
        self.plan_now()
        self.log_in(self.colette)
        self.client.post(self.url("announce"))
        self.plan_now()
        self.assertEqual(len(runs.proposal(self.night).night_json["fixed"]), 4)
        self.client.post(self.url("announce"))
        self.assertEqual(Placement.objects.count(), 4)
        self.assertEqual(Trip.objects.count(), 1)
        self.assertEqual(RunSheetGrant.objects.count(), 1)

    @override_settings(SITE_ROOT="https://nightstay.example.org", ALLOWED_HOSTS=["testserver", "evil.example"])
    def test_the_link_code_is_on_the_site_root_whatever_the_host_header(self):
        self.plan_now()
        self.log_in(self.colette)
        self.client.post(self.url("announce"))
        grant = RunSheetGrant.objects.get()
        r = self.client.post(self.url("show_link_code", grant=grant.pk), HTTP_HOST="evil.example")
        url = f"https://nightstay.example.org/run/{grant.token()}/"
        self.assertContains(r, segno.make(url, error="m").svg_inline(scale=5, dark="#000", light="#fff"), html=False)
        self.assertNotContains(r, "evil.example")

    def test_new_link_revokes_the_old_one(self):
        self.plan_now()
        self.log_in(self.colette)
        self.client.post(self.url("announce"))
        old = RunSheetGrant.objects.get()
        r = self.client.post(self.url("new_link", grant=old.pk), follow=True)
        old.refresh_from_db()
        self.assertIsNotNone(old.revoked_at)
        new = RunSheetGrant.objects.get(revoked_at__isnull=True)
        self.assertNotContains(r, new.token())
        self.assertNotContains(r, old.token())
        self.assertContains(r, "not opened")
        self.assertContains(r, self.url("show_link_code", grant=new.pk))  # the new link's code may be shown once
        self.assertEqual(self.client.get(reverse("run_sheet", args=[old.token()])).status_code, 410)

    def test_new_link_is_refused_to_others(self):
        self.plan_now()
        self.log_in(self.colette)
        self.client.post(self.url("announce"))
        grant = RunSheetGrant.objects.get()
        self.assert_refused_to_all_but_coordinators(self.url("new_link", grant=grant.pk), "post")
        grant.refresh_from_db()
        self.assertIsNone(grant.revoked_at)


class AtParkTests(TonightTestCase):
    def test_a_tap_marks_a_driver_at_the_park_and_a_second_takes_it_back(self):
        self.log_in(self.colette)
        r = self.client.post(self.url("at_park"), {"user": str(self.dara.pk)}, headers={"HX-Request": "true"})
        self.assertTemplateUsed(r, "dispatch/_volunteers.html")
        self.assertContains(r, "21:00")
        self.assertTrue(ParkArrival.objects.filter(night=self.night, user=self.dara).exists())
        self.client.post(self.url("at_park"), {"user": str(self.dara.pk)})
        self.assertFalse(ParkArrival.objects.exists())

    def test_self_pickup_hosts_are_expected_too(self):
        self.log_in(self.colette)
        self.client.post(self.url("at_park"), {"user": str(self.bea.pk)})
        self.assertTrue(ParkArrival.objects.filter(user=self.bea).exists())

    def test_only_tonights_volunteers_can_be_marked(self):
        self.log_in(self.colette)
        for value in (str(self.hugo.pk), str(self.otto.pk), "nonsense"):
            self.client.post(self.url("at_park"), {"user": value})
        self.assertFalse(ParkArrival.objects.exists())


class BoardQueryTests(TonightTestCase):
    def test_queries_do_not_grow_with_the_night(self):
        self.plan_now()
        from nightstay.dispatch import announce
        announce.announce(self.night)
        self.log_in(self.colette)
        self.client.get(self.url("board"))
        with self.assertNumQueries(23):  # 22, and the shelters' beds
            r = self.client.get(self.url("board"))
        self.assertContains(r, "On the road")


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


class MovePinnedTests(TonightTestCase):
    def test_a_pinned_party_can_still_be_moved_after_replanning(self):
        self.plan_now()
        self.log_in(self.colette)
        self.client.post(self.url("pin"), {"party": "MENA"})
        self.plan_now()
        self.assertIn("MENA", [f["party"] for f in runs.proposal(self.night).night_json["fixed"]])
        r = self.client.post(self.url("move"), {"party": "MENA", "place": "-"}, headers={"HX-Request": "true"})
        self.assertNotContains(r, 'role="alert"')
        run = runs.proposal(self.night)
        self.assertIn("MENA", run.plan_json["unplaced"])
        self.assertNotIn("MENA", [f["party"] for f in run.night_json["fixed"]])
        self.assertFalse(Placement.objects.filter(party=self.man1).exists())

    def test_a_party_moved_after_the_announcement_is_announced_again_there(self):
        BedPledge.objects.filter(pk=self.hugo_beds.pk).update(beds=3)
        Placement.objects.create(night=self.night, party=self.woman, home=self.bea_home, pinned=True)
        self.plan_now()
        from nightstay.dispatch import announce
        announce.announce(self.night)
        self.plan_now()
        self.log_in(self.colette)
        hugo = home_id(self.hugo_home)
        r = self.client.post(self.url("move"), {"party": "WUMA", "place": hugo}, headers={"HX-Request": "true"})
        self.assertNotContains(r, 'role="alert"')
        placement = Placement.objects.get(party=self.woman)
        self.assertEqual((placement.home, placement.announced, placement.pinned), (self.hugo_home, False, True))
        self.assertIn({"party": "WUMA", "place": hugo}, runs.proposal(self.night).night_json["fixed"])
        announce.announce(self.night)
        placement.refresh_from_db()
        self.assertEqual((placement.home, placement.announced), (self.hugo_home, True))
        self.assertIsNotNone(placement.stop)


class HomeLinkTests(TonightTestCase):
    def test_each_role_finds_its_page_from_home(self):
        for user, name in ((self.colette, "board"), (self.hugo, "host_tonight"), (self.dara, "driver_tonight")):
            self.log_in(user)
            self.assertContains(self.client.get(reverse("home")), self.url(name))
        self.log_in(self.otto)
        self.assertNotContains(self.client.get(reverse("home")), self.url("board"))
