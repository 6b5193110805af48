"""Cancelling tonight after the announcement is allowed (people have emergencies): the night
records it, the board shows an alert, and the next plan places the guests again."""
from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from nightstay.dispatch import announce
from nightstay.hubs.models import Night, NightEvent
from nightstay.planning import nightfile
from nightstay.planning.models import Placement

from .test_board import TonightTestCase


class CancelAfterAnnouncementTests(TonightTestCase):
    def setUp(self):
        super().setUp()
        Placement.objects.create(night=self.night, party=self.family, home=self.hugo_home, pinned=True)
        self.plan_now()

    def cancel(self, kind: str, pledge, day=None, htmx=False):
        url = reverse("pledges:cancel_night", args=["brussels", kind, pledge.pk])
        headers = {"HX-Request": "true"} if htmx else {}
        return self.client.post(url, {"day": (day or self.today).isoformat()}, headers=headers, follow=not htmx)

    def test_before_the_announcement_tonight_can_be_cancelled(self):
        self.log_in(self.hugo)
        r = self.cancel("beds", self.hugo_beds)
        self.assertContains(r, "Cancelled for the night")
        self.hugo_beds.refresh_from_db()
        self.assertFalse(self.hugo_beds.is_open_on(self.today))

    def test_a_host_with_guests_placed_tonight_may_cancel_and_the_board_is_alerted(self):
        announce.announce(self.night)
        version = Night.objects.get(pk=self.night.pk).version
        self.log_in(self.hugo)
        r = self.cancel("beds", self.hugo_beds, htmx=True)
        self.assertContains(r, "Cancelled for the night")
        self.assertContains(r, "The coordinators are told at once")
        self.hugo_beds.refresh_from_db()
        self.assertFalse(self.hugo_beds.is_open_on(self.today))
        event = NightEvent.objects.get(night=self.night, kind="host_cancelled")
        self.assertEqual(event.people, self.family.size)
        self.assertGreater(Night.objects.get(pk=self.night.pk).version, version)
        # The guests are to be placed again: the next night file no longer holds the home
        doc, _ids = nightfile.build(self.night)
        self.assertNotIn(nightfile.home_id(self.hugo_home), {h["id"] for h in doc["hosts"]})
        self.assertIn(self.family.ticket, {p["id"] for p in doc["parties"]})
        self.log_in(self.colette)
        board = self.client.get(reverse("board", args=["brussels"]))
        self.assertContains(board, "Needs a decision")
        self.assertContains(board, "a host cancelled tonight")
        self.assertContains(board, f"{self.family.size} to place again")

    def test_cancelling_twice_alerts_once(self):
        announce.announce(self.night)
        self.log_in(self.hugo)
        self.cancel("beds", self.hugo_beds)
        self.cancel("beds", self.hugo_beds)
        self.assertEqual(NightEvent.objects.filter(kind="host_cancelled").count(), 1)

    def test_withdrawing_tonight_is_the_same_alert(self):
        announce.announce(self.night)
        self.log_in(self.hugo)
        self.client.post(reverse("pledges:withdraw", args=["brussels", "beds", self.hugo_beds.pk]))
        self.assertTrue(NightEvent.objects.filter(kind="host_cancelled").exists())

    def test_a_driver_with_trips_tonight_may_cancel_and_is_out_of_the_next_plan(self):
        announce.announce(self.night)
        self.log_in(self.dara)
        r = self.cancel("seats", self.dara_seats)
        self.assertContains(r, "Cancelled for the night")
        self.assertTrue(NightEvent.objects.filter(kind="driver_cancelled", driver=self.dara).exists())
        doc, _ids = nightfile.build(self.night)
        self.assertEqual(doc["drivers"], [])

    def test_another_night_can_still_be_cancelled(self):
        self.hugo_beds.recurrence, self.hugo_beds.until = "daily", self.today + timedelta(7)
        self.hugo_beds.save()
        announce.announce(self.night)
        self.log_in(self.hugo)
        tomorrow = self.today + timedelta(1)
        self.assertContains(self.cancel("beds", self.hugo_beds, day=tomorrow), "Cancelled for the night")
        self.hugo_beds.refresh_from_db()
        self.assertFalse(self.hugo_beds.is_open_on(tomorrow))
        self.assertTrue(self.hugo_beds.is_open_on(self.today))
