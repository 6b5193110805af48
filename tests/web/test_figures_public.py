"""Figures people look at: nights of accommodation per month as an SVG drawn by the server,
the same counts as CSV for coordinators, and a public page only for a hub that chose it."""
from __future__ import annotations

import csv
import io
from datetime import date

from django.urls import reverse

from nightstay.figures.models import NightFigures

from .base import HubTestCase


class FiguresPublicTests(HubTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for day, dorm, hosts in ((date(2026, 10, 30), 100, 40), (date(2026, 10, 31), 110, 45),
                                 (date(2026, 11, 1), 120, 50)):
            NightFigures.objects.create(hub=cls.hub, date=day, people=dorm + hosts + 10, sheltered_dormitory=dorm,
                                        sheltered_hosts=hosts, left_waiting=10, driver_km=12.5)
        NightFigures.objects.create(hub=cls.other_hub, date=date(2026, 11, 1), people=30, sheltered_dormitory=20)

    def test_the_history_page_draws_the_months_in_svg_with_no_script(self):
        self.log_in(self.colette)
        r = self.client.get(reverse("figures", kwargs={"hub": "brussels"}))
        page = r.content.decode()
        chart = page[page.index("<svg"):page.index("</svg>")]
        self.assertIn("Brussels - Parc Maximilien 2026-10: 295", chart)  # (100 + 40) + (110 + 45)
        self.assertIn("Brussels - Parc Maximilien 2026-11: 170", chart)
        self.assertNotIn("Liège", chart)
        self.assertNotIn("<script", chart)
        self.assertNotIn("http", chart.replace('xmlns="http://www.w3.org/2000/svg"', ""))

    def test_the_csv_holds_the_same_counts(self):
        self.log_in(self.colette)
        r = self.client.get(reverse("figures_csv", kwargs={"hub": "brussels"}))
        self.assertEqual(r["Content-Type"], "text/csv; charset=utf-8")
        rows = list(csv.DictReader(io.StringIO(r.content.decode())))
        self.assertEqual([(x["month"], x["nights_counted"], x["sheltered"], x["left_waiting"]) for x in rows],
                         [("2026-10", "2", "295", "20"), ("2026-11", "1", "170", "10")])

    def test_the_public_page_is_off_until_the_hub_admin_turns_it_on(self):
        public = reverse("figures_public", kwargs={"hub": "brussels"})
        self.assertEqual(self.client.get(public).status_code, 404)
        self.log_in(self.colette)  # a coordinator may not publish; only the hub admin
        self.assertEqual(self.client.post(reverse("figures_publish", kwargs={"hub": "brussels"}),
                                          {"show": "1"}).status_code, 404)
        self.log_in(self.adele)
        self.client.post(reverse("figures_publish", kwargs={"hub": "brussels"}), {"show": "1"})
        self.client.logout()
        r = self.client.get(public)
        self.assertContains(r, "465")  # nights of accommodation since the start
        self.assertContains(r, "<svg")
        self.assertNotContains(r, "<script")
        self.assertNotContains(r, "Porte d&#x27;Ulysse")  # counts, not places
        self.log_in(self.adele)
        self.client.post(reverse("figures_publish", kwargs={"hub": "brussels"}), {"show": "0"})
        self.assertEqual(self.client.get(public).status_code, 404)
