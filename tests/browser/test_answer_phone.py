"""Messages answered and sent on a phone with JavaScript off (390x844, real Chromium): the
host's "still on tonight?" from the e-mail link, in the language the phone chooses, and the
coordinator's "Send every driver their link" and "Message a driver" are plain forms."""
from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings

from nightstay.dispatch import announce
from nightstay.hubs.models import Night
from nightstay.intake.models import Party
from nightstay.messaging.models import Message
from nightstay.planning import runs
from nightstay.pledges import still_on
from nightstay.pledges.models import BedPledge, SeatPledge

from ..web.base import HubTestCase
from .base import PHONE, BrowserTestCase

FIVE_PM = datetime(2026, 11, 24, 17, 5, tzinfo=ZoneInfo("Europe/Brussels"))
NINE_PM = datetime(2026, 11, 24, 21, 0, tzinfo=ZoneInfo("Europe/Brussels"))


@pytest.mark.browser
@override_settings(PLAN_IN_BACKGROUND=False, PLAN_TIME_LIMIT=1)
class NoScriptMessagesTests(BrowserTestCase):
    def setUp(self):
        HubTestCase.setUpTestData.__func__(type(self))
        self.night = Night.for_date(self.hub, self.today)
        BedPledge.objects.create(home=self.hugo_home, beds=2, pickup="driver", first_date=self.today,
                                 ready_from=time(21), latest_arrival=time(23, 30))
        SeatPledge.objects.create(hub=self.hub, driver=self.dara, seats=3, first_date=self.today,
                                  available_from=time(20, 30), available_until=time(0, 30), home_lat=50.85,
                                  home_lon=4.40)
        Party.objects.create(night=self.night, ticket="WUMA", size=1, gender="f", languages="ti",
                             waiting_since=NINE_PM)

    def travel(self, moment):
        traveller = time_machine.travel(moment, tick=True)
        traveller.start()
        self.addCleanup(traveller.stop)

    def page_without_script(self, cookies=()):
        context = self.browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=False)
        self.addCleanup(context.close)
        context.add_cookies(list(cookies))
        return context.new_page()

    def test_a_french_host_answers_yes_from_the_link_after_choosing_dutch(self):
        self.travel(FIVE_PM)
        self.hugo.language = "fr"
        self.hugo.save(update_fields=["language"])
        still_on.ask(self.hub, self.today, "hosts")
        message = Message.objects.get(template="still_on", recipient=self.hugo)
        token = message.new_token()
        message.save(update_fields=["token_hash"])
        page = self.page_without_script()
        page.goto(f"{self.live_server_url}/m/{token}/")
        self.assertEqual(page.get_attribute("html", "lang"), "fr")
        self.assertIn("2 lits", page.inner_text(".question"))  # the question itself, in the host's language
        page.click("footer button[value=nl]")
        self.assertEqual(page.get_attribute("html", "lang"), "nl")
        page.click("button[value=yes]")
        self.assertIn("Dank je: je antwoord is ja.", page.inner_text("[role=status]"))
        with self.database():
            self.assertEqual(Message.objects.get(pk=message.pk).answer, "yes")

    def test_the_coordinator_sends_the_links_and_a_message_without_script(self):
        self.travel(NINE_PM)
        runs.start(self.night, self.colette)
        announce.announce(self.night)
        _logged_in, _ = self.page_logged_in_as(self.colette)
        page = self.page_without_script(_logged_in.context.cookies())
        page.goto(f"{self.live_server_url}/brussels/tonight/")
        page.click("#send-links button")
        self.assertIn("sent by e-mail at", page.inner_text("#links .tick"))
        page.click("#driver-messages summary")
        page.fill("#driver-messages textarea >> nth=0", "Come to the north gate")
        page.click("button:has-text('Send to this driver')")
        self.assertIn("Sent to Dara.", page.inner_text(".messages"))
        with self.database():
            self.assertEqual(Message.objects.filter(template="from_coordinator", recipient=self.dara).count(), 1)
