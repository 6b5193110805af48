"""Changing a party that has its ticket already says Save, not Register (which reads as a second party)."""
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from nightstay.intake.models import Party

from .base import HubTestCase

TONIGHT = datetime(2026, 11, 24, 20, 0, tzinfo=ZoneInfo("Europe/Brussels"))


@time_machine.travel(TONIGHT, tick=False)
class EditWordsTests(HubTestCase):
    def test_the_edit_page_saves_and_intake_registers(self):
        party = Party.objects.create(night=self.hub.tonight(), ticket="KXRT", waiting_since=TONIGHT)
        self.log_in(self.colette)
        r = self.client.get(f"/intake/brussels/party/{party.pk}/")
        self.assertContains(r, '<button class="save">Save</button>', count=2, html=False)
        self.assertNotContains(r, "Register")
        r = self.client.get("/intake/brussels/")
        self.assertContains(r, '<button class="save">Register</button>', count=2, html=False)
