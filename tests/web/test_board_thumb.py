"""The board for one thumb: tap a party, then a place that fits it (or a place, then who fits),
sections that fold, and a light page on the demo-size night once planned."""
from __future__ import annotations

from datetime import datetime
from io import StringIO

import time_machine
from django.core.management import call_command
from django.db.models import Sum
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from nightstay.accounts.models import User
from nightstay.hubs.models import Hub, Night
from nightstay.intake.models import Party
from nightstay.planning import runs
from nightstay.planning.models import Placement
from nightstay.planning.nightfile import shelter_id

from .test_board import TonightTestCase

EVENING = datetime(2026, 11, 24, 20, 0, tzinfo=timezone.get_fixed_timezone(60))
BOARD_BUDGET = 40 * 1024


def grow_to(night, people: int) -> None:
    """The demo night (about 450 people) grown to ``people`` with parties like its own."""
    parties = list(Party.objects.filter(night=night).order_by("ticket"))
    have, i = sum(p.size for p in parties), 0
    while have < people:
        p = parties[i % len(parties)]
        Party.objects.create(night=night, ticket=f"Z{i:03d}", size=p.size, gender=p.gender, minor=p.minor,
                             languages=p.languages, waiting_since=p.waiting_since)
        have, i = have + p.size, i + 1


@time_machine.travel(EVENING, tick=False)
@override_settings(PLAN_IN_BACKGROUND=False, PLAN_TIME_LIMIT=3)
class DemoBoardWeightTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        with time_machine.travel(EVENING, tick=False):
            call_command("demo_setup", stdout=StringIO())
            cls.hub = Hub.objects.get(slug="brussels")
            cls.night = cls.hub.tonight()
            cls.coordinator = User.objects.get(first_name="Colette")
            grow_to(cls.night, 500)
            runs.start(cls.night, cls.coordinator)

    def setUp(self):
        self.client.force_login(self.coordinator)
        session = self.client.session
        session["otp_device_id"] = TOTPDevice.objects.get(user=self.coordinator).persistent_id
        session.save()

    def test_the_planned_board_for_the_demo_night_stays_under_40_kb(self):
        people = Party.objects.filter(night=self.night).aggregate(n=Sum("size"))["n"]
        self.assertGreaterEqual(people, 500)
        r = self.client.get(reverse("board", kwargs={"hub": "brussels"}))
        self.assertContains(r, "Announce")
        self.assertLess(len(r.content), BOARD_BUDGET, f"{len(r.content)} bytes for {people} people")


class OneThumbTests(TonightTestCase):
    """Tap a party, then a place that fits it; or a place, then who fits; keep, and undo a keep."""

    def setUp(self):
        super().setUp()
        self.plan_now()
        self.log_in(self.colette)

    def tap(self, query: str):
        """A tap on a code or a place in the proposal: htmx asks the board for that part alone."""
        return self.client.get(self.url("board") + query, headers={"HX-Request": "true", "HX-Target": "proposal"})

    def test_a_tapped_woman_is_offered_the_places_that_take_her_not_the_mens_dormitory(self):
        r = self.tap("?p=WUMA")
        self.assertNotContains(r, "<html")  # the proposal part alone, not the whole board
        chosen = r.content.decode().split('id="chosen"', 1)[1].split(">Close<", 1)[0]
        self.assertIn('name="party" value="WUMA"', chosen)
        self.assertNotIn(f'value="{shelter_id(self.dormitory)}"', chosen)
        self.assertNotIn("Porte", chosen)

    def test_a_tapped_place_shows_who_fits_and_one_tap_moves_them_there(self):
        dorm = shelter_id(self.dormitory)
        r = self.tap(f"?w={dorm}")
        chosen = r.content.decode().split('id="chosen"', 1)[1]
        self.assertNotIn('value="WUMA"', chosen.split("Who fits", 1)[1].split("</form>", 1)[0])
        if self.place_of("MENA") != dorm:
            self.assertIn('name="party" value="MENA"', chosen)
            self.client.post(self.url("move"), {"party": "MENA", "place": dorm}, headers={"HX-Request": "true"})
            self.assertEqual(self.place_of("MENA"), dorm)

    def test_a_keep_is_one_tap_and_so_is_its_undo(self):
        r = self.client.post(self.url("pin"), {"party": "WUMA"}, headers={"HX-Request": "true"})
        self.assertTrue(Placement.objects.get(party=self.woman).pinned)
        self.assertContains(r, "Undo: no longer keep")
        r = self.client.post(self.url("unpin"), {"party": "WUMA"}, headers={"HX-Request": "true"})
        self.assertFalse(Placement.objects.filter(party=self.woman).exists())
        self.assertContains(r, "Keep here")

    def test_without_javascript_a_tap_is_a_link_to_the_board_showing_the_party(self):
        r = self.client.get(self.url("board") + "?p=WUMA")
        self.assertContains(r, "<html")
        self.assertContains(r, 'id="chosen"')
        self.client.post(self.url("pin"), {"party": "WUMA"})
        self.assertTrue(Placement.objects.get(party=self.woman).pinned)

    def test_no_ticket_to_type_and_announce_asks_first(self):
        page = self.client.get(self.url("board")).content.decode()
        self.assertNotIn("<select", page)
        self.assertNotIn('name="party" maxlength', page)
        announce = page.split('<details class="announce">', 1)[1].split("</details>", 1)[0]
        self.assertIn("Yes, announce now", announce)  # folded: a second tap announces

    def test_each_redrawn_part_names_the_address_the_live_poll_asks_next(self):
        """live.js copies it into the board's data-live, so a later redraw keeps the tapped party open."""
        board = self.url("board")

        def address(r) -> str:
            return r.content.decode().split('data-live-address="', 1)[1].split('"', 1)[0]

        version = Night.objects.get(pk=self.night.pk).version
        self.assertEqual(address(self.tap("?p=wuma")), f"{board}?p=WUMA&amp;since={version}")
        dorm = shelter_id(self.dormitory)
        self.assertEqual(address(self.tap(f"?w={dorm}")), f"{board}?w={dorm}&amp;since={version}")
        r = self.client.post(self.url("pin"), {"party": "WUMA"}, headers={"HX-Request": "true"})
        self.assertTrue(address(r).startswith(f"{board}?p=WUMA&amp;since="))  # the pin's answer: still WUMA
        self.assertEqual(address(self.tap("?")), f"{board}?since={Night.objects.get(pk=self.night.pk).version}")
        page = self.client.get(board + "?p=WUMA").content.decode()  # the whole board says the same twice
        self.assertIn(f'data-live="{board}?p=WUMA&amp;since=', page)
        self.assertIn(f'data-live-address="{board}?p=WUMA&amp;since=', page)

