"""The live night in real Chromium at phone size, as issue 9 asks: two coordinators on two
boards; the plan announced; a host cancels from her own page; both boards show the alert
within 5 s without a reload; one coordinator plans again, reads the difference against what
was announced and announces it; the driver's run sheet, open on his phone since before,
says what changed without a reload.

The planner runs as the worker's task (the tests' ImmediateBackend runs it in place, inside
the Plan request), so pressing Plan is what a coordinator does.
"""
from __future__ import annotations

import time as clock

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from nightstay.dispatch.models import RunSheetGrant
from nightstay.hubs.models import NightEvent
from nightstay.planning.models import Placement

from .base import BrowserTestCase
from .test_live_boards import SOON, announced_night


def within(started: float) -> float:
    """What is left, in ms, of the 5 s that "at once" allows since ``started``."""
    return max(1.0, SOON - (clock.monotonic() - started) * 1000)


@pytest.mark.browser
@override_settings(PLAN_TIME_LIMIT=0.2)
class HostCancelsAfterAnnouncementTests(BrowserTestCase):
    def setUp(self):
        announced_night(self)

    def test_a_host_cancels_both_boards_see_it_and_the_replan_reaches_the_drivers_sheet(self):
        board = f"{self.live_server_url}/brussels/tonight/"
        colette, colette_problems = self.page_logged_in_as(self.colette)
        adele, adele_problems = self.page_logged_in_as(self.adele)
        colette.goto(board)
        adele.goto(board)
        expect(colette.locator("#events")).not_to_contain_text("Needs a decision")
        # Dara's run sheet is open on his phone: one stop, Hugo's, with the family.
        with self.database():  # the two boards poll: between two of their requests
            _grant, token = RunSheetGrant.issue(self.night, self.dara)
        sheet, sheet_problems = self.watched_page()
        sheet.goto(f"{self.live_server_url}/run/{token}/")
        expect(sheet.locator(".address")).to_contain_text("Rue du Trône 12")
        expect(sheet.locator("#sheet")).to_contain_text("FAMY")
        expect(sheet.locator("#sheet")).not_to_contain_text("WUMA")

        # 21:xx Béa has an emergency: on her own page she cancels tonight.
        bea, bea_problems = self.page_logged_in_as(self.bea)
        bea.goto(f"{self.live_server_url}/pledges/brussels/")
        bea.click(f"#pledge-{self.bea_beds.pk} button:has-text('Cancel tonight')")
        expect(bea.locator(f"#pledge-{self.bea_beds.pk}")).to_contain_text("The coordinators are told at once")
        told = clock.monotonic()

        # Both boards say so within 5 s of her tap, untouched.
        for page in (colette, adele):
            expect(page.locator("#events .alerts")).to_contain_text("a host cancelled tonight", timeout=within(told))
        self.assertLess(clock.monotonic() - told, SOON / 1000)
        expect(adele.locator("#events .alerts")).to_contain_text("1 to place again")

        # Colette plans again: the board shows what changes against what was announced.
        colette.click("#proposal button:has-text('Plan')")
        changes = colette.locator("#changes")
        expect(changes).to_contain_text("Against what was announced", timeout=30_000)
        expect(changes.locator("li:has-text('WUMA')")).to_contain_text("Hugo")  # Béa's → Hugo's
        expect(changes).to_contain_text("Run sheets that change: Dara")
        expect(changes).to_contain_text("Host notices that change:")
        expect(changes).not_to_contain_text("FAMY")  # what still stands is kept
        # Adèle's board follows, untouched.
        expect(adele.locator("#changes li:has-text('WUMA')")).to_contain_text("Hugo", timeout=SOON)

        # She applies it: announced, the alert is decided, and Dara's open sheet says what changed.
        colette.click("#proposal summary:has-text('Announce')")  # it asks first
        colette.click("#proposal button:has-text('Yes, announce now')")
        expect(colette.get_by_text("Announced.")).to_be_visible()
        announced = clock.monotonic()
        expect(sheet.locator(".note")).to_contain_text("WUMA added at Ixelles", timeout=within(announced))
        expect(sheet.locator("#sheet")).to_contain_text("FAMY")
        expect(adele.locator("#events")).not_to_contain_text("Needs a decision", timeout=SOON)
        with self.database():
            self.assertEqual(Placement.objects.get(party__ticket="WUMA").home, self.hugo_home)
            self.assertTrue(NightEvent.objects.filter(night=self.night, kind="host_cancelled").exists())
        self.assertEqual(colette_problems + adele_problems + sheet_problems + bea_problems, [])
