"""Announcing tonight's plan (placements, run sheet links) and marking who came to the park."""
from __future__ import annotations

import segno
from django.test import override_settings
from django.urls import reverse

from nightstay.planning import runs
from nightstay.dispatch.models import ParkArrival, RunSheetGrant
from nightstay.planning.models import Placement, Stop, Trip
from nightstay.planning.nightfile import home_id
from nightstay.hubs.models import Night
from nightstay.intake.models import Party

from .test_board import TonightTestCase


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
        # What was announced is told to the planner as ``announced`` (kept unless it must change), not pinned
        self.assertEqual(len(runs.proposal(self.night).night_json["announced"]), 4)
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
