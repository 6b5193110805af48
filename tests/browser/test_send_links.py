"""Run-sheet links delivered, in real Chromium at phone size: a night with 20 drivers, Announce,
"Send every driver their link", 20 messages out by e-mail and 20 sent ticks on the board; one
driver opens their link on another phone and the board shows it opened, without a reload."""
from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import override_settings

from nightstay.accounts.models import User
from nightstay.dispatch.models import RunSheetGrant
from nightstay.hubs.models import Membership, Role
from nightstay.intake.models import Party
from nightstay.messaging.models import Message
from nightstay.planning import runs
from nightstay.pledges.models import BedPledge, Home, SeatPledge

from ..web.base import PASSWORD
from .base import BrowserTestCase
from .test_live_boards import at_the_evening

EVENING = datetime(2026, 11, 24, 20, 30, tzinfo=ZoneInfo("Europe/Brussels"))
DRIVERS = 20
NAMES = ["Ursula", "Ursula", "Omar", "Lea", "Jan", "Nora", "Piet", "Sara", "Yusuf", "Ines", "Tom", "Mira", "Koen",
         "Ana", "Bram", "Elif", "Hans", "Zoe", "Rik", "Lina"]


def twenty_drivers(case, night) -> list[User]:
    """20 drivers with one seat each, 20 homes around the park with one bed, 20 women waiting
    (the dormitory takes men only): each driver one guest, one trip."""
    drivers = []
    for i in range(DRIVERS):
        driver = User.objects.create_user(f"driver{i}@example.org", PASSWORD, first_name=NAMES[i],
                                          phone=f"+32 470 00 {i:02d} {i + 10:02d}")
        Membership.objects.create(user=driver, hub=case.hub, role=Role.DRIVER)
        SeatPledge.objects.create(hub=case.hub, driver=driver, seats=1, first_date=case.today,
                                  available_from=time(20, 30), available_until=time(21, 50),
                                  home_lat=50.85, home_lon=4.35)
        host = User.objects.create_user(f"host{i}@example.org", PASSWORD, first_name=f"Host{i}")
        Membership.objects.create(user=host, hub=case.hub, role=Role.HOST)
        home = Home.objects.create(hub=case.hub, host=host, address=f"Rue {i} 1", area=f"Area {i}",
                                   lat=50.80 + 0.01 * (i % 5), lon=4.30 + 0.02 * (i // 5))
        BedPledge.objects.create(home=home, beds=1, pickup="driver", first_date=case.today, ready_from=time(21),
                                 latest_arrival=time(21, 40))
        Party.objects.create(night=night, ticket=f"W{i:03d}", size=1, gender="f", waiting_since=EVENING)
        drivers.append(driver)
    return drivers


@pytest.mark.browser
@override_settings(PLAN_TIME_LIMIT=0.5)
class SendLinksTests(BrowserTestCase):
    def setUp(self):
        at_the_evening(self, EVENING)
        self.drivers = twenty_drivers(self, self.night)
        runs.start(self.night, self.colette)

    def test_announce_send_all_twenty_ticks_then_one_opened(self):
        board, problems = self.page_logged_in_as(self.colette)
        board.goto(f"{self.live_server_url}/brussels/tonight/")
        board.click("#proposal summary:has-text('Announce')")
        board.click("#proposal button:has-text('Yes, announce now')")
        board.wait_for_selector("text=Announced.")
        board.click("#send-links button")
        board.wait_for_selector("text=Sent to 20 drivers")
        self.assertEqual(board.locator("#links .tick.sent").count(), DRIVERS)
        with self.database():
            self.assertEqual(Message.objects.filter(template="run_sheet", state="sent", channel="email").count(),
                             DRIVERS)
            self.assertEqual(sorted(m.to[0] for m in mail.outbox if "run sheet" in m.subject),
                             sorted(d.email for d in self.drivers))
        links = board.inner_text("#links")
        self.assertIn("Ursula ·10:", links)  # two Ursulas, told apart by their numbers' last digits
        self.assertIn("Ursula ·11:", links)
        # Omar opens his link on his phone, from his own page: his tick turns opened, no reload.
        omar = self.drivers[2]
        phone, phone_problems = self.page_logged_in_as(omar)
        phone.goto(f"{self.live_server_url}/brussels/driver/tonight/")
        phone.click("text=Open tonight's run sheet")
        phone.wait_for_selector("#sheet")
        board.wait_for_selector("#links li:has-text('Omar') .tick.opened", timeout=5000)
        self.assertIn("opened on a phone", board.inner_text("#links li:has-text('Omar')"))
        self.assertEqual(board.locator("#links .tick.opened").count(), 1)
        with self.database():
            self.assertTrue(RunSheetGrant.objects.get(driver=omar).opened_at)
        # Nora, on her laptop, finds a code to scan and a share button for her phone.
        laptop, laptop_problems = self.page_logged_in_as(self.drivers[5])
        laptop.goto(f"{self.live_server_url}/brussels/driver/tonight/")
        self.assertTrue(laptop.locator("#share svg").is_visible())
        laptop.click("#share button:has-text('Share the link')")
        laptop.wait_for_function("() => document.querySelector('[data-share-status]').textContent.length > 0")
        with self.database():
            self.assertIsNone(RunSheetGrant.objects.get(driver=self.drivers[5]).opened_at)  # shown, not opened
        self.assertEqual(problems + phone_problems + laptop_problems, [])
