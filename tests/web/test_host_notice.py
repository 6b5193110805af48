"""A host's notice: who is coming tonight, when, with which driver; arrival confirmed by the host."""
from __future__ import annotations

from django.urls import reverse

from nightstay.dispatch import announce
from nightstay.planning.models import Placement
from nightstay.intake.models import Party

from .test_board import TonightTestCase


class HostNoticeTests(TonightTestCase):
    def setUp(self):
        super().setUp()
        Placement.objects.create(night=self.night, party=self.family, home=self.hugo_home, pinned=True)
        Placement.objects.create(night=self.night, party=self.woman, home=self.bea_home, pinned=True)
        self.plan_now()
        announce.announce(self.night)
        self.url = reverse("host_tonight", args=["brussels"])

    def test_a_host_sees_who_comes_when_and_with_whom(self):
        self.log_in(self.hugo)
        r = self.client.get(self.url)
        self.assertContains(r, "FAMY")
        self.assertContains(r, "Arabic, English")  # names, not codes
        self.assertContains(r, "Amal")  # the nickname the family gave
        self.assertContains(r, "Dara")
        self.assertContains(r, "+32 470 00 00 00")
        arrive = Placement.objects.get(party=self.family).arrive
        self.assertContains(r, arrive.astimezone(self.night.start.tzinfo).strftime("%H:%M"))
        self.assertNotContains(r, "WUMA")  # Béa's guest
        self.assertNotContains(r, "MENA")
        self.assertNotContains(r, "Rue du Trône")

    def test_a_host_who_picks_up_sees_whom_to_collect_and_when(self):
        self.log_in(self.bea)
        r = self.client.get(self.url)
        self.assertContains(r, "WUMA")
        self.assertContains(r, "Collect them at the park from 21:00")
        self.assertNotContains(r, "FAMY")

    def test_nothing_before_the_announcement(self):
        Placement.objects.update(announced=False)
        self.log_in(self.hugo)
        r = self.client.get(self.url)
        self.assertContains(r, "Nobody is coming to you tonight")
        self.assertNotContains(r, "FAMY")

    def test_the_host_confirms_arrival(self):
        self.log_in(self.hugo)
        placement = Placement.objects.get(party=self.family)
        r = self.client.post(reverse("host_arrived", args=["brussels", placement.pk]))
        self.assertRedirects(r, self.url)
        placement.refresh_from_db()
        self.assertIsNotNone(placement.arrived_at)
        self.assertEqual(Party.objects.get(pk=self.family.pk).status, Party.Status.ARRIVED)
        self.assertContains(self.client.get(self.url), "Arrived")

    def test_a_host_cannot_confirm_anothers_guests(self):
        self.log_in(self.hugo)
        placement = Placement.objects.get(party=self.woman)
        r = self.client.post(reverse("host_arrived", args=["brussels", placement.pk]))
        self.assertEqual(r.status_code, 404)
        placement.refresh_from_db()
        self.assertIsNone(placement.arrived_at)

    def test_queries(self):
        self.log_in(self.hugo)
        self.client.get(self.url)  # the session, once
        with self.assertNumQueries(8):  # 7, and the stays booked with this host from tomorrow on
            self.client.get(self.url)

    def test_it_refuses_others(self):
        placement = Placement.objects.get(party=self.family)
        for url, method in ((self.url, "get"), (reverse("host_arrived", args=["brussels", placement.pk]), "post")):
            self.client.logout()
            r = getattr(self.client, method)(url)
            self.assertEqual(r.status_code, 302)
            for user in (self.pia, self.dara, self.colette, self.cyril, self.otto):
                self.log_in(user)
                self.assertEqual(getattr(self.client, method)(url).status_code, 404, user.first_name)
        placement.refresh_from_db()
        self.assertIsNone(placement.arrived_at)
