"""A closed night (its figures counted) refuses intake: no registration, no edit, no "left" tap."""
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from nightstay.hubs.models import Night
from nightstay.intake.models import Party

from .base import HubTestCase

TONIGHT = datetime(2026, 11, 24, 23, 0, tzinfo=ZoneInfo("Europe/Brussels"))
ONE_MAN = {"size_choice": "1", "gender": "m", "vulnerable_why": "", "nights_outside": "0", "nickname": "Sami"}
CLOSED = "Tonight is closed"


@time_machine.travel(TONIGHT, tick=False)
class ClosedNightIntakeTests(HubTestCase):
    def setUp(self):
        self.night = self.hub.tonight()
        self.party = Party.objects.create(night=self.night, ticket="KXRT", size=1, gender="m", waiting_since=TONIGHT)
        Night.objects.filter(pk=self.night.pk).update(status=Night.Status.CLOSED)
        self.log_in(self.colette)

    def test_a_registration_is_refused_with_what_was_typed(self):
        for headers in ({}, {"HX-Request": "true"}):
            r = self.client.post(reverse("intake:intake", args=["brussels"]), ONE_MAN, headers=headers)
            self.assertContains(r, CLOSED)
            self.assertContains(r, 'value="Sami"')
        self.assertEqual(Party.objects.count(), 1)

    def test_an_edit_is_refused(self):
        r = self.client.post(reverse("intake:edit", args=["brussels", self.party.pk]), {**ONE_MAN, "gender": "f"})
        self.assertContains(r, CLOSED)
        self.party.refresh_from_db()
        self.assertEqual(self.party.gender, "m")

    def test_left_and_its_undo_are_refused(self):
        r = self.client.post(reverse("intake:left", args=["brussels", self.party.pk]), follow=True)
        self.assertContains(r, CLOSED)
        self.party.refresh_from_db()
        self.assertEqual(self.party.status, Party.Status.WAITING)

    def test_an_open_night_counts_each_registration_as_a_change(self):
        Night.objects.filter(pk=self.night.pk).update(status=Night.Status.OPEN)
        version = Night.objects.get(pk=self.night.pk).version
        self.client.post(reverse("intake:intake", args=["brussels"]), ONE_MAN)
        self.assertEqual(Night.objects.get(pk=self.night.pk).version, version + 1)
