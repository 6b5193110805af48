"""Two hubs in real Chromium: Brussels offers 6 beds, Schaerbeek takes them, the beds appear on
Schaerbeek's board and its plan puts its waiting guests in them."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from nightstay.hubs.models import Hub, Role, Shelter
from nightstay.intake.models import Party
from nightstay.network.models import Member, Network
from nightstay.planning.models import PlanRun
from nightstay.planning.nightfile import shelter_id
from nightstay.pledges.models import SeatPledge

from ..web.base import HubTestCase, make_user
from .base import BrowserTestCase

EVENING = datetime(2026, 11, 24, 20, 30, tzinfo=ZoneInfo("Europe/Brussels"))


@pytest.mark.browser
class NetworkOfferTests(BrowserTestCase):
    def setUp(self):
        HubTestCase.setUpTestData.__func__(type(self))
        traveller = time_machine.travel(EVENING, tick=True)
        traveller.start()
        self.addCleanup(traveller.stop)
        settings = self.settings(PLAN_TIME_LIMIT=0.5)
        settings.enable()
        self.addCleanup(settings.disable)
        self.north = Hub.objects.create(name="Schaerbeek - Gare du Nord", slug="schaerbeek", meeting_point="Gare du Nord",
                                        meeting_lat=50.8600, meeting_lon=4.3610, window_start=time(19),
                                        window_end=time(1))
        self.bruno = make_user("bruno@example.org", "Bruno", self.north, Role.COORDINATOR, totp=True)
        network = Network.objects.create(name="Brussels region")
        Member.objects.create(network=network, hub=self.hub)
        Member.objects.create(network=network, hub=self.north)
        SeatPledge.objects.create(hub=self.hub, driver=self.dara, seats=3, first_date=self.today,
                                  available_from=time(20), available_until=time(0, 30), home_lat=50.85, home_lon=4.40)
        since = EVENING - timedelta(minutes=20)
        for i in range(5):
            Party.objects.create(night=self.north.tonight(), ticket=f"NRD{i}", size=1, gender="m", waiting_since=since)

    def test_a_offers_six_beds_b_takes_them_and_plans_with_them(self):
        brussels, problems_a = self.page_logged_in_as(self.colette)
        brussels.goto(self.live_server_url + "/network/brussels/")
        brussels.fill("#id_beds", "6")
        brussels.fill("#id_seats", "2")
        brussels.select_option("#id_to", label="Schaerbeek - Gare du Nord")
        brussels.click("#offer button:has-text('Offer')")
        brussels.wait_for_selector("text=Offered 6 beds for tonight.")

        north, problems_b = self.page_logged_in_as(self.bruno)
        north.goto(self.live_server_url + "/network/schaerbeek/")
        north.click("#open-offers button:has-text('Take them')")
        north.wait_for_selector("text=6 beds from Brussels - Parc Maximilien are on tonight's board.")
        self.shot(north, "network-taken")
        north.click("text=To tonight's board")
        lent = north.text_content("#lent")
        self.assertIn("Brussels - Parc Maximilien: 6", lent)
        self.assertIn("6 in shelters", " ".join(north.text_content("p.figures").split()))
        north.click("#proposal button:has-text('Plan')")
        north.wait_for_selector("#proposal summary:has-text('Announce')", timeout=30_000)
        self.assertIn("5 of 5 people sheltered", north.text_content("#proposal"))
        self.shot(north, "network-board")
        with self.database():  # the board polls: between two of its requests
            place = shelter_id(Shelter.objects.get(night__hub=self.north))
            plan = PlanRun.objects.filter(night__hub=self.north, status=PlanRun.Status.DONE).latest("created_at").plan_json
        self.assertEqual(sorted(p["party"] for p in plan["placements"] if p["place"] == place),
                         [f"NRD{i}" for i in range(5)])
        self.assertEqual(problems_a + problems_b, [])
