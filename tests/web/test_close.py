"""The night's close: who is still waiting first, the counts kept, tonight's files; the history."""
import json
from datetime import datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from nightstay.accounts.models import User

from nightstay.planning.models import PlanRun
from nightstay.figures.models import NightFigures
from nightstay.hubs.models import Hub, Night
from nightstay.intake.models import Party

from tests.browser.base import BrowserTestCase

from .base import PASSWORD, HubTestCase
from .scripted_night import ScriptedNightTestCase, script_night

EVENING = datetime(2026, 11, 24, 23, 30, tzinfo=timezone.get_fixed_timezone(60))


@time_machine.travel(EVENING, tick=False)
class CloseTests(ScriptedNightTestCase):
    evening = EVENING

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.url = reverse("night_close", args=["brussels"])
        cls.close_url = reverse("close_night", args=["brussels"])

    def test_who_is_still_waiting_comes_first(self):
        self.log_in(self.colette)
        r = self.client.get(self.url)
        self.assertContains(r, "2 parties still waiting")
        body = r.content.decode()
        self.assertLess(body.index("T005"), body.index("T004"))  # the vulnerable one first
        self.assertLess(body.index("still waiting"), body.index("People at the park"))
        self.assertNotContains(r, "T000")  # placed: not waiting
        self.assertNotContains(r, "Amanuel")  # no nicknames on this page

    def test_the_close_page_is_light(self):
        self.log_in(self.colette)
        with self.assertNumQueries(10):
            self.client.get(self.url)

    def test_the_counts_shown_are_the_nights(self):
        self.log_in(self.colette)
        counts = self.client.get(self.url).context["counts"]
        self.assertEqual((counts["people"], counts["sheltered_dormitory"], counts["sheltered_hosts"]), (9, 3, 4))
        self.assertEqual((counts["left_waiting"], counts["drivers"], counts["driver_km"]), (2, 1, 12.5))

    def test_closing_keeps_the_counts_and_closes_the_night(self):
        self.log_in(self.colette)
        r = self.client.post(self.close_url)
        self.assertRedirects(r, self.url)
        figures = NightFigures.objects.get(hub=self.hub, date=self.night.date)
        self.assertEqual((figures.people, figures.sheltered, figures.left_waiting), (9, 7, 2))
        self.assertEqual(Night.objects.get(pk=self.night.pk).status, Night.Status.CLOSED)

    def test_closing_again_counts_again_without_a_second_row(self):
        self.log_in(self.colette)
        self.client.post(self.close_url)
        Party.objects.create(night=self.night, ticket="LATE", size=2, waiting_since=EVENING)
        self.client.post(self.close_url)
        self.assertEqual(NightFigures.objects.get(hub=self.hub).people, 11)

    def test_closing_with_htmx_answers_the_counts_part(self):
        self.log_in(self.colette)
        r = self.client.post(self.close_url, headers={"HX-Request": "true"})
        self.assertTemplateUsed(r, "figures/_counts.html")
        self.assertTemplateNotUsed(r, "base.html")
        self.assertContains(r, "Counts kept at")

    def test_closing_needs_a_post(self):
        self.log_in(self.colette)
        self.assertEqual(self.client.get(self.close_url).status_code, 405)

    def test_the_night_and_plan_files_download(self):
        self.log_in(self.colette)
        r = self.client.get(reverse("night_file", args=["brussels"]))
        self.assertEqual(r["Content-Disposition"], 'attachment; filename="nightstay-brussels-2026-11-24-night.json"')
        self.assertEqual(json.loads(r.content)["format"], "nightstay.night/1")
        r = self.client.get(reverse("plan_file", args=["brussels"]))
        self.assertEqual(json.loads(r.content)["format"], "nightstay.plan/1")

    def test_without_a_plan_the_night_file_is_tonights_state_and_there_is_no_plan_file(self):
        PlanRun.objects.all().delete()
        self.log_in(self.colette)
        r = self.client.get(reverse("night_file", args=["brussels"]))
        doc = json.loads(r.content)
        self.assertEqual(doc["format"], "nightstay.night/1")
        self.assertNotIn("Trône", r.content.decode())
        self.assertEqual(self.client.get(reverse("plan_file", args=["brussels"])).status_code, 404)

    def test_refused(self):
        urls = [self.url, reverse("night_file", args=["brussels"]), reverse("plan_file", args=["brussels"]),
                reverse("figures", args=["brussels"])]
        for url in urls:
            self.client.logout()
            self.assertRedirects(self.client.get(url), f"/login/?next={url}", fetch_redirect_response=False)
            r = self.client.post(self.close_url)
            self.assertEqual(r.status_code, 302)
            for who in (self.pia, self.hugo, self.dara, self.bea, self.otto):
                self.log_in(who)
                self.assertEqual(self.client.get(url).status_code, 404, (url, who))
                self.assertEqual(self.client.post(self.close_url).status_code, 404)
            self.log_in(self.cyril)
            self.assertTrue(self.client.get(url)["Location"].startswith(reverse("two_factor")))
        self.assertFalse(NightFigures.objects.exists())


class HistoryTests(HubTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for day, dorm, hosts in ((20, 120, 300), (21, 118, 310), (22, 120, 295)):
            NightFigures.objects.create(hub=cls.hub, date=datetime(2026, 11, day).date(), people=480,
                                        sheltered_dormitory=dorm, sheltered_hosts=hosts, driver_km=350)
        NightFigures.objects.create(hub=cls.other_hub, date=datetime(2026, 11, 22).date(), sheltered_hosts=40)

    def test_totals_since_the_start(self):
        self.log_in(self.colette)
        r = self.client.get(reverse("figures", args=["brussels"]))
        self.assertEqual(r.context["totals"]["sheltered"], 1263)
        self.assertContains(r, "in 3 nights counted")
        self.assertContains(r, "1050 km")

    def test_the_page_is_light(self):
        self.log_in(self.colette)
        with self.assertNumQueries(8):  # 7, and the months of the chart (one query, however many nights)
            self.client.get(reverse("figures", args=["brussels"]))

    def test_refused_to_another_hubs_coordinator(self):
        self.log_in(self.otto)
        self.assertEqual(self.client.get(reverse("figures", args=["brussels"])).status_code, 404)


class HomeLinkTests(HubTestCase):
    def test_coordinators_find_the_close_from_home_and_hosts_do_not(self):
        close = reverse("night_close", args=["brussels"])
        self.log_in(self.colette)
        r = self.client.get(reverse("home"))
        self.assertContains(r, close)
        self.assertNotContains(r, reverse("panic", args=["brussels"]))
        self.log_in(self.hugo)
        self.assertNotContains(self.client.get(reverse("home")), close)

    def test_the_admin_finds_the_panic_button_from_home(self):
        self.log_in(self.adele)
        self.assertContains(self.client.get(reverse("home")), reverse("panic", args=["brussels"]))


@time_machine.travel(datetime(2026, 11, 24, 20, 0, tzinfo=timezone.get_fixed_timezone(60)), tick=False)
@override_settings(PLAN_TIME_LIMIT=1.0)
class DemoNightEndToEndTests(TestCase):
    """The demo hub's night, planned and announced, then closed: the counts come from the dispatch."""

    def test_plan_announce_close_purge(self):
        from nightstay.dispatch import announce
        from nightstay.planning import runs
        from nightstay.privacy.retention import night_rows, purge

        call_command("demo_setup", stdout=StringIO())
        hub = Hub.objects.get(slug="brussels")
        night = hub.tonight()
        admin = User.objects.get_by_email("admin@demo.test")
        run = runs.start(night, admin)
        run.refresh_from_db()
        self.assertEqual(run.status, PlanRun.Status.DONE, run.error)
        announce.announce(night)
        client = Client()
        client.force_login(admin)
        session = client.session
        session["otp_device_id"] = TOTPDevice.objects.get(user=admin).persistent_id
        session.save()
        plan = json.loads(client.get(reverse("plan_file", args=["brussels"])).content)
        client.post(reverse("close_night", args=["brussels"]))
        kept = NightFigures.objects.get(hub=hub, date=night.date)
        self.assertEqual(kept.people, plan["summary"]["people"])
        self.assertEqual(kept.sheltered, plan["summary"]["sheltered"])
        self.assertGreaterEqual(kept.sheltered_dormitory, 120)  # the dormitory and the family shelter
        self.assertGreater(kept.driver_km, 0)
        self.assertGreater(kept.drivers, 5)
        with time_machine.travel(night.purge_due() + timedelta(minutes=1), tick=False):  # 12 hours after the window
            purge()
        self.assertEqual(sum(night_rows(night).values()), 0)
        self.assertEqual(NightFigures.objects.get(hub=hub, date=night.date).sheltered, kept.sheltered)


@pytest.mark.browser
class CloseAndPanicBrowserTests(BrowserTestCase):
    """The hub admin on a phone: log in with a code, close the night (htmx), then wipe it."""

    def setUp(self):
        HubTestCase.setUpTestData.__func__(type(self))
        cache.clear()
        self.night = self.hub.tonight()
        script_night(self, self.night)

    def test_close_then_panic(self):
        page, problems = self.watched_page()
        page.goto(self.live_server_url + reverse("night_close", args=["brussels"]))
        self.log_in_with_code(page, self.adele, "adele@example.org", PASSWORD)
        page.wait_for_selector("text=2 parties still waiting")
        page.click("#counts button")
        page.wait_for_selector("text=Counts kept at")
        self.assertEqual(page.locator(".messages").count(), 0)  # swapped in place by htmx, no reload
        self.shot(page, "figures-close")
        with self.database():
            self.assertTrue(NightFigures.objects.filter(hub=self.hub, people=9).exists())
        page.click("text=Panic: wipe tonight's data")
        page.check("input[name=confirm]")
        page.click("button:has-text('Wipe now')")
        page.wait_for_selector("text=data is gone")
        with self.database():
            self.assertEqual(Party.objects.count(), 0)
        self.assertEqual(problems, [])
