"""Live pages in real Chromium at phone size: two coordinators on two boards see each other's
taps and registrations within 5 s, and a driver's open run sheet follows a move and an
announcement, all without a reload."""
from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings

from nightstay.dispatch import announce
from nightstay.dispatch.models import RunSheetGrant
from nightstay.hubs.models import Night
from nightstay.intake.models import Party
from nightstay.planning import runs
from nightstay.planning.models import Placement
from nightstay.planning.nightfile import home_id
from nightstay.pledges.models import BedPledge, SeatPledge
from nightstay.privacy.models import AddressReveal

from ..web.base import HubTestCase
from .base import BrowserTestCase

EVENING = datetime(2026, 11, 24, 20, 30, tzinfo=ZoneInfo("Europe/Brussels"))
SOON = 5000  # ms: what "at once" means on a coordinator's phone


def live_text(page, text: str) -> None:
    """Wait (at most 5 s) until the page's live part holds ``text``, folded away or not."""
    page.wait_for_function("t => document.querySelector('[data-live]').textContent.includes(t)", arg=text,
                           timeout=SOON)


def at_the_evening(case, when: datetime = EVENING) -> None:
    """The people of ``HubTestCase`` (again: a live server's test commits), on a clock at ``when``
    that runs on, and tonight's night as ``case.night``."""
    HubTestCase.setUpTestData.__func__(type(case))
    traveller = time_machine.travel(when, tick=True)
    traveller.start()
    case.addCleanup(traveller.stop)
    case.night = case.hub.tonight()


def announced_night(case) -> None:
    """Tonight announced: the family (FAMY) by Dara's car to Hugo's, the woman (WUMA) leaves with
    Béa, who picks her guests up herself (her pledge is ``case.bea_beds``)."""
    at_the_evening(case)
    BedPledge.objects.create(home=case.hugo_home, beds=4, pickup="driver", first_date=case.today,
                             ready_from=time(21), latest_arrival=time(23, 30))
    case.bea_beds = BedPledge.objects.create(home=case.bea_home, beds=2, pickup="self", first_date=case.today,
                                             ready_from=time(21), latest_arrival=time(23, 30))
    SeatPledge.objects.create(hub=case.hub, driver=case.dara, seats=3, first_date=case.today,
                              available_from=time(20, 30), available_until=time(0, 30), home_lat=50.85, home_lon=4.40)
    family = Party.objects.create(night=case.night, ticket="FAMY", size=2, gender="mixed", vulnerable=True,
                                  waiting_since=EVENING)
    woman = Party.objects.create(night=case.night, ticket="WUMA", size=1, gender="f", waiting_since=EVENING)
    Placement.objects.create(night=case.night, party=family, home=case.hugo_home, pinned=True)
    Placement.objects.create(night=case.night, party=woman, home=case.bea_home, pinned=True)
    runs.start(case.night, case.colette)
    announce.announce(case.night)


@pytest.mark.browser
@override_settings(PLAN_TIME_LIMIT=0.2)
class LiveBoardTests(BrowserTestCase):
    def setUp(self):
        announced_night(self)

    def test_two_boards_and_a_run_sheet_follow_each_other(self):
        board = f"{self.live_server_url}/brussels/tonight/"
        colette, colette_problems = self.page_logged_in_as(self.colette)
        adele, adele_problems = self.page_logged_in_as(self.adele)
        colette.goto(board)
        adele.goto(board)
        # Colette taps Dara at the park: Adèle's board shows it, untouched.
        colette.click("#volunteers button:has-text('Dara')")
        colette.wait_for_selector("#volunteers button.here:has-text('Dara')")
        adele.wait_for_selector("#volunteers button.here:has-text('Dara')", timeout=SOON)
        # Adèle registers a man at the park: Colette's board counts him, untouched.
        adele.goto(f"{self.live_server_url}/intake/brussels/")
        adele.click("button:has-text('Register')")
        adele.wait_for_selector(".ticket.big")
        ticket = adele.inner_text(".ticket.big").strip()
        live_text(colette, ticket)
        self.shot(colette, "live-board")
        # Dara's run sheet is open on his phone; Colette moves WUMA to Hugo's and announces.
        with self.database():  # the two boards poll: between two of their requests
            _grant, token = RunSheetGrant.issue(self.night, self.dara)
        sheet = self.new_page()
        sheet.goto(f"{self.live_server_url}/run/{token}/")
        self.assertIn("Rue du Trône 12", sheet.inner_text(".address"))
        self.assertNotIn("WUMA", sheet.inner_text("#sheet"))
        with self.database():
            reveals = AddressReveal.objects.count()
        colette.click("#proposal a[href='?p=WUMA']")  # one thumb: tap the party, then the place
        colette.click(f"#chosen button[value='{home_id(self.hugo_home)}']")
        colette.wait_for_selector("#proposal .places li:has(a[href='?p=WUMA']):has-text('Hugo')")
        colette.click("#proposal summary:has-text('Announce')")  # it asks first
        colette.click("#proposal button:has-text('Yes, announce now')")
        colette.wait_for_selector("text=Announced.")
        live_text(sheet, "changed at 20:3")
        self.assertIn("WUMA added at Ixelles", sheet.inner_text(".note"))
        self.assertIn("Rue du Trône 12", sheet.inner_text(".address"))  # the address stays on screen...
        with self.database():
            self.assertEqual(AddressReveal.objects.count(), reveals)  # ...and was not revealed again
        self.shot(sheet, "live-run-sheet")
        self.assertEqual(colette_problems + adele_problems, [])


@pytest.mark.browser
@override_settings(PLAN_TIME_LIMIT=0.2)
class TappedPartyStaysOpenTests(LiveBoardTests):
    """A party tapped on the board (htmx) stays open when the live poll redraws the board."""

    test_two_boards_and_a_run_sheet_follow_each_other = None

    def redrawn_by_the_poll(self, page) -> None:
        page.evaluate("document.querySelector('[data-live]').dataset.drawn = 'before'")
        with self.database():
            Night.objects.get(pk=self.night.pk).changed()  # another coordinator's tap
        page.wait_for_function("() => !document.querySelector('[data-live]').dataset.drawn", timeout=SOON)

    def test_a_tapped_party_and_its_undo_survive_the_next_redraw(self):
        colette, problems = self.page_logged_in_as(self.colette)
        colette.goto(f"{self.live_server_url}/brussels/tonight/")
        colette.click("#proposal a[href='?p=WUMA']")
        colette.wait_for_selector("#chosen:has-text('Undo: no longer keep')")
        self.assertIn("p=WUMA", colette.get_attribute("[data-live]", "data-live"))
        self.redrawn_by_the_poll(colette)
        self.assertIn("WUMA", colette.inner_text("#chosen"))
        colette.click("#chosen button:has-text('Undo: no longer keep')")
        colette.wait_for_selector("#chosen button:has-text('Keep here')")
        self.redrawn_by_the_poll(colette)
        self.assertIn("WUMA", colette.inner_text("#chosen"))
        self.assertTrue(colette.is_visible("#chosen button:has-text('Keep here')"))
        self.assertEqual(problems, [])


@pytest.mark.browser
@override_settings(PLAN_TIME_LIMIT=0.2)
class IdlePollWeightTests(LiveBoardTests):
    """What an open page costs while nothing happens: one empty 204 every 3 s, on the wire."""

    test_two_boards_and_a_run_sheet_follow_each_other = None

    def idle_polls(self, page, url: str) -> list[int]:
        sizes: list[int] = []

        def count(response):
            if "since=" in response.url:
                s = response.request.sizes()
                sizes.append(response.status == 204 and sum(s.values()))

        page.on("response", count)
        page.goto(url)
        for _ in range(120):  # two polls, 3 s apart: waited for, not timed (a busy machine fires timers late)
            if len(sizes) >= 2:
                break
            page.wait_for_timeout(250)  # Playwright hands over the responses while it waits
        return sizes

    def test_an_idle_page_costs_a_few_hundred_bytes_a_poll(self):
        colette, _problems = self.page_logged_in_as(self.colette)
        hugo, _problems = self.page_logged_in_as(self.hugo)
        with self.database():
            _grant, token = RunSheetGrant.issue(self.night, self.dara)
            ticket = Party.objects.get(ticket="FAMY").guest_token()
        pages = {"board": (colette, "/brussels/tonight/"), "run sheet": (self.new_page(), f"/run/{token}/"),
                 "host notice": (hugo, "/brussels/host/tonight/"), "ticket": (self.new_page(), f"/intake/ticket/{ticket}/")}
        for name, (page, path) in pages.items():
            sizes = self.idle_polls(page, self.live_server_url + path)
            self.assertGreaterEqual(len(sizes), 2, name)
            self.assertTrue(all(0 < s < 1500 for s in sizes), f"{name}: {sizes}")
            print(f"{name}: {max(sizes)} bytes a poll (request and response), {20 * max(sizes)} bytes a minute idle")
