"""The board's "still on tonight?" marks: ✓ for a yes, … while an answer may still come,
"unconfirmed" once its time is up; and the hub admin's page that sets the hours."""
from __future__ import annotations

from datetime import time

import time_machine
from django.urls import reverse

from nightstay.hubs.models import Hub, Night
from nightstay.messaging import replies
from nightstay.messaging.models import Message
from tests.messaging.test_still_on import StillOnTestCase, at

from .base import HubTestCase


class BoardMarksTests(StillOnTestCase):
    def board(self, moment):
        self.log_in(self.colette)
        with time_machine.travel(moment, tick=False):
            return self.client.get(reverse("board", args=["brussels"]))

    def at_park(self, page) -> str:
        html = page.content.decode()
        return html[html.index('id="volunteers"'):html.index("</form>", html.index('id="volunteers"'))]

    def hosts_at_home(self, page) -> str:
        html = page.content.decode()
        start = html.index('id="hosts-at-home"')
        return html[start:html.index("</p>", start)]

    def test_nobody_asked_yet_no_mark_and_no_legend(self):
        page = self.board(at(16, 0))
        self.assertNotContains(page, "Still on tonight?")
        self.assertNotContains(page, 'id="hosts-at-home"')

    def test_asked_then_unconfirmed_after_the_deadline(self):
        self.tick(at(17, 0))
        page = self.board(at(17, 30))
        self.assertIn("asked, no answer yet", self.at_park(page))  # Béa picks up: in the park list
        self.assertIn("Hugo · Ixelles", self.hosts_at_home(page))  # a driver brings Hugo's guests
        self.assertContains(page, "still in the plan until they cancel")
        version = Night.objects.get(pk=self.night.pk).version
        self.tick(at(18, 0, ))  # the deadline: the board is told to redraw
        self.assertGreater(Night.objects.get(pk=self.night.pk).version, version)
        page = self.board(at(18, 1))
        self.assertIn("unconfirmed", self.at_park(page))
        self.assertIn("unconfirmed", self.hosts_at_home(page))
        self.assertNotIn("unconfirmed", self.at_park(self.board(at(18, 1))).split("Dara", 1)[1].split("</button>")[0])

    def test_a_yes_is_a_tick_and_a_no_leaves_the_board(self):
        self.tick(at(17, 0))
        asked = self.asked()
        with time_machine.travel(at(17, 10), tick=False):
            replies.answer(asked["Béa"], True, "link")
            replies.answer(asked["Hugo"], False, "sms")
        page = self.board(at(19, 0))
        self.assertIn("✓", self.at_park(page))
        self.assertNotIn("unconfirmed", self.at_park(page))
        self.assertNotContains(page, 'id="hosts-at-home"')  # Hugo cancelled: not expected tonight
        self.assertEqual(Message.objects.get(pk=asked["Hugo"].pk).answer, "no")

    def test_drivers_are_marked_from_their_own_deadline(self):
        self.tick(at(19, 30))
        park = self.at_park(self.board(at(20, 29)))
        self.assertIn("Dara", park)
        self.assertIn("unconfirmed", self.at_park(self.board(at(20, 31))))


class HubSettingsTests(HubTestCase):
    def url(self, slug="brussels"):
        return reverse("hub_settings", args=[slug])

    def test_the_hub_admin_sets_the_hours(self):
        self.log_in(self.adele)
        page = self.client.get(self.url())
        self.assertContains(page, 'value="17:00"')
        self.assertContains(page, 'value="19:30"')
        r = self.client.post(self.url(), {"ask_hosts_at": "16:30", "ask_drivers_at": "20:00", "answer_within": "45"},
                             follow=True)
        self.assertContains(r, "Saved")
        hub = Hub.objects.get(pk=self.hub.pk)
        self.assertEqual((hub.ask_hosts_at, hub.ask_drivers_at, hub.answer_within), (time(16, 30), time(20), 45))

    def test_a_morning_hour_or_a_silly_delay_is_refused_and_nothing_is_saved(self):
        self.log_in(self.adele)
        r = self.client.post(self.url(), {"ask_hosts_at": "09:00", "ask_drivers_at": "19:30", "answer_within": "2"})
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "before noon it is still last night", status_code=400)
        self.assertContains(r, 'value="09:00"', status_code=400)  # what was typed is shown again
        hub = Hub.objects.get(pk=self.hub.pk)
        self.assertEqual((hub.ask_hosts_at, hub.answer_within), (time(17), 60))

    def test_only_the_hubs_admin_may_open_it(self):
        for user in (self.colette, self.hugo, self.dara, self.otto):
            self.log_in(user)
            self.assertEqual(self.client.get(self.url()).status_code, 404, user.first_name)
            self.assertEqual(self.client.post(self.url(), {"ask_hosts_at": "13:00"}).status_code, 404)
        self.log_in(self.adele)
        self.assertEqual(self.client.get(self.url("liege")).status_code, 404)
        self.assertEqual(Hub.objects.get(pk=self.hub.pk).ask_hosts_at, time(17))

    def test_the_front_page_links_it_for_the_admin_only(self):
        self.log_in(self.adele)
        self.assertContains(self.client.get(reverse("home")), self.url())
        self.log_in(self.colette)
        self.assertNotContains(self.client.get(reverse("home")), self.url())
