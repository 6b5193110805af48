"""Intake in real Chromium: "woman alone" picks "women" and "minor" ticks "Minors" by itself."""
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from nightstay.intake.models import Party

from ..web.base import HubTestCase
from .base import BrowserTestCase

TONIGHT = datetime(2026, 11, 24, 20, 0, tzinfo=ZoneInfo("Europe/Brussels"))


class IntakeTapsTests(BrowserTestCase):
    def setUp(self):
        HubTestCase.setUpTestData.__func__(type(self))
        traveller = time_machine.travel(TONIGHT)
        traveller.start()
        self.addCleanup(traveller.stop)

    def test_a_woman_alone_and_a_minor_in_two_taps_each(self):
        page, problems = self.page_logged_in_as(self.colette)
        page.goto(self.live_server_url + "/intake/brussels/")
        page.click("label:has(input[name=vulnerable_why][value=woman])")
        self.assertTrue(page.is_checked("input[name=gender][value=f]"))
        page.click("button.save >> nth=0")
        page.wait_for_selector(".new-ticket")
        page.click("label:has(input[name=vulnerable_why][value=minor])")  # the form is a new one after htmx
        self.assertTrue(page.is_checked("input[name=minor]"))
        page.click("button.save >> nth=0")
        page.wait_for_selector("text=2 parties waiting")
        with self.database():
            self.assertEqual(sorted(Party.objects.values_list("gender", "vulnerable_why", "minor")),
                             [("f", "woman", False), ("m", "minor", True)])
        self.assertEqual(problems, [])
