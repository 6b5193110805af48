"""The board's links: to intake and closing at the top (below them come hundreds of parties),
and to no driver's run sheet anywhere."""
from __future__ import annotations

from datetime import timedelta

import time_machine
from django.test import Client
from django.urls import reverse

from nightstay.dispatch.models import RunSheetGrant
from nightstay.privacy.models import AddressReveal

from .test_board import NINE_PM, TonightTestCase
from .test_runsheet import RunSheetTestCase


class TopLinksTests(TonightTestCase):
    def test_the_board_links_to_intake_and_closing_above_the_plan(self):
        self.log_in(self.colette)
        page = self.client.get(self.url("board")).content.decode()
        self.assertLess(page.index(f'href="{reverse("intake:intake", args=["brussels"])}"'), page.index('id="proposal"'))
        self.assertIn(f'href="{reverse("night_close", args=["brussels"])}"', page)

    def test_intake_links_to_the_board_above_the_waiting_list(self):
        self.log_in(self.colette)
        page = self.client.get(reverse("intake:intake", args=["brussels"])).content.decode()
        self.assertLess(page.index(f'href="{self.url("board")}"'), page.index('id="waiting"'))
        self.assertLess(page.index(f'href="{self.url("board")}"'), page.index("FAMY"))


class NoRunSheetLinkForCoordinatorsTests(RunSheetTestCase):
    """The harvest of finding 1: a coordinator (or a seized, logged-in coordinator phone) read
    every driver's link off the board and opened them all. No coordinator page or partial
    holds a run-sheet link now; the QR code is shown once, and a link opened since is bound."""

    PAGES = ("board", "plan_status", "intake:intake", "night_close", "figures", "pledges:tonight", "vetting_queue",
             "night_file", "plan_file")

    def assert_no_link(self, response, what: str):
        text = response.content.decode()
        self.assertNotIn("/run/", text, what)
        for grant in RunSheetGrant.objects.all():
            token = grant.token()
            self.assertNotIn(token, text, what)
            self.assertNotIn(token.partition(".")[2], text, what)  # nor the link's MAC alone

    def test_no_board_page_or_partial_holds_a_run_sheet_link(self):
        self.log_in(self.colette)
        htmx = {"HX-Request": "true"}
        seen = [(name, self.client.get(reverse(name, args=["brussels"]))) for name in self.PAGES]
        seen += [
            ("board, htmx", self.client.get(self.url("board"), headers=htmx)),
            ("at the park", self.client.post(self.url("at_park"), {"user": str(self.dara.pk)}, headers=htmx)),
            ("pin", self.client.post(self.url("pin"), {"party": "FAMY"}, headers=htmx)),
            ("move", self.client.post(self.url("move"), {"party": "MENA", "place": "-"}, headers=htmx)),
            ("plan", self.client.post(self.url("plan"), headers=htmx)),
            ("announce", self.client.post(self.url("announce"), follow=True)),
            ("new link", self.client.post(self.url("new_link", grant=self.grant.pk), follow=True)),
            ("home", self.client.get(reverse("home"))),
        ]
        for what, response in seen:
            self.assertLess(response.status_code, 400, what)
            self.assert_no_link(response, what)
        self.assertEqual(self.client.get(reverse("driver_tonight", args=["brussels"])).status_code, 404)

    def test_the_board_shows_each_link_state_not_the_link(self):
        self.log_in(self.colette)
        self.assertContains(self.client.get(self.url("board")), "Dara:\n      not opened")
        with time_machine.travel(NINE_PM + timedelta(minutes=4), tick=False):
            Client().get(self.sheet)  # Dara's phone
        r = self.client.get(self.url("board"))
        self.assertContains(r, "opened on a phone at 21:04")
        self.assertNotContains(r, self.url("show_link_code", grant=self.grant.pk))  # no code for an open link
        self.assert_no_link(r, "board")
        self.client.post(self.url("new_link", grant=self.grant.pk))
        self.assertContains(self.client.get(self.url("board")), "Dara:\n      not opened")

    def test_the_code_is_shown_once_then_never_again(self):
        self.log_in(self.colette)
        r = self.client.post(self.url("show_link_code", grant=self.grant.pk))
        self.assertContains(r, "<svg")
        self.assertContains(r, "shown once")
        self.assertNotContains(r, "/run/")  # the code, not the link as text
        for again in (self.client.post(self.url("show_link_code", grant=self.grant.pk)),):
            self.assertEqual(again.status_code, 410)
            self.assertNotContains(again, "<svg", status_code=410)
            self.assert_no_link(again, "the code again")
        self.log_in(self.adele)  # another coordinator: shown is shown
        self.assertEqual(self.client.post(self.url("show_link_code", grant=self.grant.pk)).status_code, 410)
        r = self.client.get(self.url("board"))
        self.assertContains(r, "code shown at 21:00 by Colette")
        self.assertNotContains(r, self.url("show_link_code", grant=self.grant.pk))
        # showing one again means a new link, which closes the old
        self.client.post(self.url("new_link", grant=self.grant.pk))
        new = RunSheetGrant.objects.get(revoked_at__isnull=True)
        self.assertEqual(self.client.post(self.url("show_link_code", grant=new.pk)).status_code, 200)
        self.assertEqual(Client().get(self.sheet).status_code, 410)

    def test_a_link_open_on_a_phone_has_no_code_to_show(self):
        Client().get(self.sheet)
        self.log_in(self.colette)
        self.assertEqual(self.client.post(self.url("show_link_code", grant=self.grant.pk)).status_code, 410)

    def test_a_coordinator_who_scans_the_code_herself_is_seen(self):
        """The one code shown, opened on her own logged-in phone: the audit names her, the board
        says the link is open, and the driver's phone is refused (so the driver asks why)."""
        self.log_in(self.colette)
        self.client.post(self.url("show_link_code", grant=self.grant.pk))
        self.assertContains(self.client.get(self.sheet), "Rue du Trône 12")
        row = AddressReveal.objects.get()
        self.assertEqual((row.user, row.link_of), (self.colette, self.dara))
        self.assertContains(self.client.get(self.url("board")), "opened on a phone at 21:00")
        self.assertEqual(Client().get(self.sheet).status_code, 403)
