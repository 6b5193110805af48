"""A run-sheet link in real Chromium: it opens on the first phone, that phone keeps it even when
it comes back from another site's page (its cookie is SameSite=Strict), another phone is refused."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from nightstay.dispatch.models import RunSheetGrant
from nightstay.planning.models import Stop, Trip

from ..web.base import HubTestCase
from .base import BrowserTestCase

EVENING = datetime(2026, 11, 24, 20, 30, tzinfo=ZoneInfo("Europe/Brussels"))
ELSEWHERE = "http://mail.example.org/inbox"


@pytest.mark.browser
class RunSheetPhoneTests(BrowserTestCase):
    def setUp(self):
        HubTestCase.setUpTestData.__func__(type(self))
        traveller = time_machine.travel(EVENING, tick=True)
        traveller.start()
        self.addCleanup(traveller.stop)
        night = self.hub.tonight()
        at = night.start + timedelta(hours=2)
        trip = Trip.objects.create(night=night, driver=self.dara, seq=1, depart=at, end="meeting_point",
                                   end_at=at + timedelta(hours=1))
        Stop.objects.create(trip=trip, order=1, home=self.hugo_home, arrive=at + timedelta(minutes=10))
        _grant, token = RunSheetGrant.issue(night, self.dara)
        self.sheet = f"{self.live_server_url}/run/{token}/"

    def webmail_link_on(self, page):
        """A page of another site (a webmail) whose link to the run sheet the driver taps."""
        page.route(ELSEWHERE, lambda route: route.fulfill(
            content_type="text/html", body=f'<a id="link" href="{self.sheet}">tonight</a>'))
        page.goto(ELSEWHERE)
        page.click("#link")

    def test_the_phone_that_opened_it_keeps_it_even_from_another_site(self):
        phone = self.new_page()
        phone.goto(self.sheet)
        self.assertIn("Rue du Trône 12", phone.inner_text(".address"))
        self.webmail_link_on(phone)
        phone.wait_for_selector(".address")
        self.assertIn("Rue du Trône 12", phone.inner_text(".address"))

    def test_another_phone_is_refused_from_anywhere(self):
        self.new_page().goto(self.sheet)
        other = self.new_page()
        self.webmail_link_on(other)
        other.wait_for_selector("text=already open on another phone")
        other.goto(self.sheet)
        other.wait_for_selector("text=already open on another phone")
        self.assertNotIn("Rue du Trône", other.content())
