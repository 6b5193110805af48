"""Ten seconds to take back "Departed", "Dropped" and "They arrived"; after that the tap stands."""
from __future__ import annotations

from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from nightstay.intake.models import Party
from nightstay.planning.models import Placement

from .test_runsheet import RunSheetTestCase


def later(seconds: int):
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds), tick=False)


class RunSheetUndoTests(RunSheetTestCase):
    def post(self, name: str, **kwargs):
        return self.client.post(reverse(name, kwargs={"token": self.grant.token(), **kwargs}),
                                headers={"HX-Request": "true"})

    def test_departed_can_be_undone_for_ten_seconds(self):
        r = self.post("departed", trip=self.trip.pk)
        self.assertContains(r, reverse("undo_departed", args=[self.grant.token(), self.trip.pk]))
        with later(5):
            r = self.post("undo_departed", trip=self.trip.pk)
        self.trip.refresh_from_db()
        self.assertIsNone(self.trip.departed_at)
        self.assertEqual(Party.objects.get(pk=self.family.pk).status, Party.Status.PLACED)
        self.assertNotContains(r, "undo")

    def test_after_ten_seconds_departed_stands(self):
        self.post("departed", trip=self.trip.pk)
        with later(11):
            r = self.post("undo_departed", trip=self.trip.pk)
            self.assertNotContains(r, "/undo/")  # the page no longer offers it either
        self.trip.refresh_from_db()
        self.assertIsNotNone(self.trip.departed_at)

    def test_dropped_can_be_undone_and_the_stop_is_the_current_one_again(self):
        self.post("departed", trip=self.trip.pk)
        r = self.post("dropped", stop=self.stop.pk)
        self.assertContains(r, reverse("undo_dropped", args=[self.grant.token(), self.stop.pk]))
        self.assertNotContains(r, "Rue du Trône")
        r = self.post("undo_dropped", stop=self.stop.pk)
        self.stop.refresh_from_db()
        self.assertIsNone(self.stop.dropped_at)
        self.assertContains(r, "Rue du Trône")  # the address again, as the stop is the next one

    def test_departed_cannot_be_undone_once_a_stop_is_dropped(self):
        self.post("departed", trip=self.trip.pk)
        self.post("dropped", stop=self.stop.pk)
        self.post("undo_departed", trip=self.trip.pk)
        self.trip.refresh_from_db()
        self.assertIsNotNone(self.trip.departed_at)

    def test_map_and_dropped_sit_apart(self):
        r = self.post("departed", trip=self.trip.pk)
        self.assertContains(r, '<div class="actions"><a class="button secondary" href="geo:')


class HostUndoTests(RunSheetTestCase):
    def setUp(self):
        super().setUp()
        self.log_in(self.hugo)
        self.placement = Placement.objects.get(party=self.family)

    def test_they_arrived_can_be_undone_for_ten_seconds(self):
        r = self.client.post(reverse("host_arrived", args=["brussels", self.placement.pk]), follow=True)
        undo = reverse("undo_arrived", args=["brussels", self.placement.pk])
        self.assertContains(r, undo)
        self.client.post(undo)
        self.placement.refresh_from_db()
        self.assertIsNone(self.placement.arrived_at)
        self.assertEqual(Party.objects.get(pk=self.family.pk).status, Party.Status.PLACED)

    def test_after_ten_seconds_they_arrived_stands(self):
        self.client.post(reverse("host_arrived", args=["brussels", self.placement.pk]))
        with later(11):
            self.client.post(reverse("undo_arrived", args=["brussels", self.placement.pk]))
        self.placement.refresh_from_db()
        self.assertIsNotNone(self.placement.arrived_at)
        self.assertEqual(Party.objects.get(pk=self.family.pk).status, Party.Status.ARRIVED)
