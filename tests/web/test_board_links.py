"""Intake and the board link to each other at the top: below them come hundreds of parties."""
from __future__ import annotations

from django.urls import reverse

from .test_board import TonightTestCase


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
