"""Intake in real Chromium: "woman alone" picks "women" and "minor" ticks "Minors" by itself."""
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

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

    def coordinator_page(self):
        client = Client()
        client.force_login(self.colette)
        session = client.session
        session["otp_device_id"] = TOTPDevice.objects.get(user=self.colette).persistent_id
        session.save()
        page = self.new_page()
        page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key,
                                   "url": self.live_server_url}])
        problems = []
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        return page, problems

    def test_a_woman_alone_and_a_minor_in_two_taps_each(self):
        page, problems = self.coordinator_page()
        page.goto(self.live_server_url + "/intake/brussels/")
        page.click("label:has(input[name=vulnerable_why][value=woman])")
        self.assertTrue(page.is_checked("input[name=gender][value=f]"))
        page.click("button.save >> nth=0")
        page.wait_for_selector(".new-ticket")
        page.click("label:has(input[name=vulnerable_why][value=minor])")  # the form is a new one after htmx
        self.assertTrue(page.is_checked("input[name=minor]"))
        page.click("button.save >> nth=0")
        page.wait_for_selector("text=2 parties waiting")
        self.assertEqual(sorted(Party.objects.values_list("gender", "vulnerable_why", "minor")),
                         [("f", "woman", False), ("m", "minor", True)])
        self.assertEqual(problems, [])
