"""Cancelling tonight after the announcement would leave guests at a closed door or in the park:
the volunteer is told to tell the coordinators, and the pledge stays."""
from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from nightstay.dispatch import announce
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

    def test_a_host_with_guests_placed_tonight_is_told_to_tell_the_coordinators(self):
        announce.announce(self.night)
        self.log_in(self.hugo)
        r = self.cancel("beds", self.hugo_beds, htmx=True)
        self.assertContains(r, "Not cancelled: guests are already placed with you")
        self.assertContains(r, 'class="bad"', html=False)
        self.hugo_beds.refresh_from_db()
        self.assertTrue(self.hugo_beds.is_open_on(self.today))

    def test_a_driver_with_trips_tonight_is_told_too(self):
        announce.announce(self.night)
        self.log_in(self.dara)
        r = self.cancel("seats", self.dara_seats)
        self.assertContains(r, "Not cancelled")
        self.dara_seats.refresh_from_db()
        self.assertTrue(self.dara_seats.is_open_on(self.today))

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
