"""A host's page for tonight reads right: one guest is "1 person"."""
from __future__ import annotations

from django.urls import reverse

from nightstay.dispatch import announce
from nightstay.planning.models import Placement

from .test_board import TonightTestCase


class HostWordsTests(TonightTestCase):
    def test_one_guest_is_one_person_and_two_are_people(self):
        Placement.objects.create(night=self.night, party=self.family, home=self.hugo_home, pinned=True)
        Placement.objects.create(night=self.night, party=self.woman, home=self.bea_home, pinned=True)
        self.plan_now()
        announce.announce(self.night)
        self.log_in(self.bea)
        r = self.client.get(reverse("host_tonight", args=["brussels"]))
        self.assertContains(r, "WUMA</span> · 1 person")
        self.assertNotContains(r, "1 people")
        self.log_in(self.hugo)
        self.assertContains(self.client.get(reverse("host_tonight", args=["brussels"])), "FAMY</span> · 2 people")
