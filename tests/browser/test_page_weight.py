"""The pages used in the dark on a weak signal, weighed in real Chromium: the intake page
with a long waiting list, a driver's run sheet with several stops, the one-tap answer a
host opens from a message, and the driver's own page with its code to scan.

Everything the browser fetches counts (the page, its css and scripts, any icon): fewer than
6 requests and under 60 KB once gzipped, as the site is served; nothing from another origin.
"""
from __future__ import annotations

import gzip
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from nightstay.dispatch.models import RunSheetGrant
from nightstay.messaging import outbox
from nightstay.planning.models import Placement, Stop, Trip
from nightstay.intake.models import Party

from ..web.base import HubTestCase
from .base import BrowserTestCase

EVENING = datetime(2026, 11, 24, 20, 30, tzinfo=ZoneInfo("Europe/Brussels"))
REQUEST_BUDGET = 6
BYTES_BUDGET = 60 * 1024


@pytest.mark.browser
class PageWeightTests(BrowserTestCase):
    def setUp(self):
        HubTestCase.setUpTestData.__func__(type(self))
        traveller = time_machine.travel(EVENING, tick=True)
        traveller.start()
        self.addCleanup(traveller.stop)
        self.night = self.hub.tonight()

    def weigh(self, page, path: str) -> tuple[int, int]:
        """Open ``path``; the number of requests and the gzipped bytes of everything fetched."""
        responses = []
        page.on("response", lambda r: responses.append(r))
        page.goto(self.live_server_url + path)
        page.wait_for_load_state("networkidle")
        elsewhere = [r.url for r in responses if not r.url.startswith(self.live_server_url + "/")
                     and not r.url.startswith("data:")]
        self.assertEqual(elsewhere, [], "only the site's own resources")
        fetched = [r for r in responses if not r.url.startswith("data:")]
        size = sum(len(gzip.compress(r.body())) for r in fetched)
        return len(fetched), size

    def test_the_intake_page_with_forty_parties_waiting(self):
        for n in range(40):
            Party.objects.create(night=self.night, ticket=f"K{n:03d}", size=2, gender="mixed", minor=True,
                                 vulnerable=True, vulnerable_why="medical", nickname="Abebech", languages="ar,ti",
                                 waiting_since=self.night.start + timedelta(minutes=n))
        page, _ = self.page_logged_in_as(self.colette)
        requests, size = self.weigh(page, "/intake/brussels/")
        self.assertIn("40 parties waiting", page.inner_text("body"))
        self.assertLess(requests, REQUEST_BUDGET)
        self.assertLess(size, BYTES_BUDGET, f"{size} bytes")

    def test_a_run_sheet_with_four_stops(self):
        at = self.night.start + timedelta(hours=2)
        trip = Trip.objects.create(night=self.night, driver=self.dara, seq=1, depart=at, end="meeting_point",
                                   end_at=at + timedelta(hours=1), km=14.2)
        for order, place in enumerate([{"home": self.hugo_home}, {"home": self.bea_home},
                                       {"shelter": self.dormitory}, {"home": self.hugo_home}], 1):
            stop = Stop.objects.create(trip=trip, order=order, arrive=at + timedelta(minutes=10 * order), **place)
            for i in range(2):
                party = Party.objects.create(night=self.night, ticket=f"S{order}{i}", size=2, gender="mixed",
                                             languages="ar,fr", waiting_since=self.night.start,
                                             status=Party.Status.PLACED)
                Placement.objects.create(night=self.night, party=party, stop=stop, arrive=stop.arrive,
                                         announced=True, **place)
        _grant, token = RunSheetGrant.issue(self.night, self.dara)
        page = self.new_page()
        requests, size = self.weigh(page, f"/run/{token}/")
        self.assertIn("Rue du Trône 12", page.inner_text(".address"))
        self.assertLess(requests, REQUEST_BUDGET)
        self.assertLess(size, BYTES_BUDGET, f"{size} bytes")

    def test_the_one_tap_answer_from_a_message(self):
        message = outbox.queue(self.hugo, self.night, "still_on", {"beds": 2, "due": self.night.start}, asks=True)
        token = message.new_token()
        message.save(update_fields=["token_hash"])
        page = self.new_page()
        requests, size = self.weigh(page, f"/m/{token}/")
        self.assertIn("Does it still hold?", page.inner_text(".question"))
        self.assertLess(requests, REQUEST_BUDGET)
        self.assertLess(size, BYTES_BUDGET, f"{size} bytes")

    def test_the_drivers_page_with_its_code_to_scan(self):
        RunSheetGrant.issue(self.night, self.dara)
        page, _ = self.page_logged_in_as(self.dara)
        requests, size = self.weigh(page, "/brussels/driver/tonight/")
        self.assertTrue(page.locator(".qr svg").is_visible())
        self.assertLess(requests, REQUEST_BUDGET)
        self.assertLess(size, BYTES_BUDGET, f"{size} bytes")
