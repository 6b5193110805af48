"""The whole night in real headless Chromium at a phone's size, through the pages alone.

A volunteer signs up as host and driver; a coordinator logs in with her code and approves
her; the volunteer chooses a password from the welcome e-mail, sets up her home and pledges
beds and seats; the coordinator registers parties at the park, plans, announces; the
volunteer, as driver, marks her trip departed and her stop dropped, then, as host, confirms
her guests arrived; the coordinator closes the night and reads the right counts.

Only two things are read outside the browser: the welcome e-mail (from the test mailbox)
and the coordinator's one-time code (computed from her device's key, as her phone would).
Every page is screenshot into docs/screenshots/. No request may leave the site and the
console must stay clean (a CSP violation shows there).
"""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.db.models import Sum
from playwright.sync_api import expect

from nightstay.planning.models import Placement, Trip
from nightstay.intake.models import Party

from ..web.base import PASSWORD, HubTestCase
from .base import SCREENSHOTS, BrowserTestCase

# An evening of the test hub's night (19:00 to 01:00): "now" for the server, its planner thread
# and the codes, whatever the hour the suite runs at. Time moves on from there.
EVENING = datetime(2026, 11, 24, 20, 30, tzinfo=ZoneInfo("Europe/Brussels"))
VOLUNTEER_PASSWORD = "a long night in the park"


@pytest.mark.browser
class WholeNightTests(BrowserTestCase):
    def setUp(self):
        HubTestCase.setUpTestData.__func__(type(self))
        cache.clear()
        traveller = time_machine.travel(EVENING, tick=True)
        traveller.start()
        self.addCleanup(traveller.stop)
        settings = self.settings(SITE_ROOT=self.live_server_url)
        settings.enable()
        self.addCleanup(settings.disable)
        self.problems: list[str] = []

    def shot(self, page, name: str) -> None:
        """At CSS pixels (390 wide): a screenshot a quarter the size, as legible in the docs."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True, scale="css")

    def watched_as(self, who: str):
        """A phone of its own (cookies and all) whose every request and console message is checked."""
        page = self.new_page()

        def request(r):
            if not (r.url.startswith(self.live_server_url + "/") or r.url.startswith("data:")):
                self.problems.append(f"{who}: request off the site: {r.url}")

        def console(m):
            if m.type in ("error", "warning"):
                self.problems.append(f"{who}: console {m.type}: {m.text}")

        page.on("request", request)
        page.on("console", console)
        page.on("pageerror", lambda e: self.problems.append(f"{who}: page error: {e}"))
        return page

    def go(self, page, path: str):
        page.goto(self.live_server_url + path)

    def test_the_whole_night(self):
        volunteer, coordinator = self.watched_as("volunteer"), self.watched_as("coordinator")

        # 1. A volunteer offers a bed and a car on the public form.
        self.go(volunteer, "/volunteer/brussels/join/")
        volunteer.fill("#id_first_name", "Yasmine")
        volunteer.fill("#id_phone", "+32 470 98 76 54")
        volunteer.fill("#id_email", "yasmine@example.org")
        volunteer.fill("#id_area", "Schaerbeek")
        volunteer.click("label[for=id_offer_2]")  # both
        volunteer.check("#id_consent")
        self.shot(volunteer, "signup")
        volunteer.click("button:has-text('Send')")
        volunteer.wait_for_selector("text=A coordinator will call you")

        # 2. A coordinator logs in (e-mail, password, the code on her phone) and approves her.
        self.go(coordinator, "/volunteer/brussels/queue/")
        self.log_in_with_code(coordinator, self.colette, "colette@example.org", PASSWORD)
        coordinator.wait_for_selector("text=Yasmine")
        self.shot(coordinator, "vetting")
        coordinator.fill("textarea[name=call_note]", "called: a bed and a car, Tuesdays")
        coordinator.click("button[value=approve]")
        coordinator.wait_for_selector("text=Yasmine is in")

        # 3. The volunteer chooses a password from the welcome e-mail and logs in.
        link = re.search(r"https?://\S+/password/set/\S+", mail.outbox[-1].body).group(0)
        volunteer.goto(link)
        volunteer.wait_for_selector("#id_new_password1")
        volunteer.fill("#id_new_password1", VOLUNTEER_PASSWORD)
        volunteer.fill("#id_new_password2", VOLUNTEER_PASSWORD)
        self.shot(volunteer, "set-password")
        volunteer.click("button:has-text('Save the password')")
        volunteer.wait_for_url(re.compile(r".*/password/set/done/$"))
        self.go(volunteer, "/login/")
        volunteer.fill("#id_email", "yasmine@example.org")
        volunteer.fill("#id_password", VOLUNTEER_PASSWORD)
        volunteer.click("button:has-text('Log in')")
        volunteer.wait_for_selector("text=My pledges")

        # 4. She sets up her home, pledges beds (a driver brings the guests) and her car's seats.
        volunteer.click("text=My pledges")
        volunteer.click("text=Set up my home")
        volunteer.fill("#id_address", "Rue Josaphat 100, 1030 Schaerbeek")
        volunteer.select_option("#id_area", "Schaerbeek / Schaarbeek")
        self.shot(volunteer, "home-setup")
        volunteer.click("button:has-text('Save')")
        volunteer.wait_for_selector("text=Pledge beds")
        volunteer.click("text=Pledge beds")
        volunteer.fill("#id_beds", "3")
        volunteer.fill("#id_max_party", "3")
        for gender, taken in (("m", False), ("f", True), ("mixed", True)):
            volunteer.set_checked(f"input[name=genders][value={gender}]", taken)
        volunteer.check("input[name=minors]")
        volunteer.check("input[name=pickup][value=driver]")
        self.shot(volunteer, "pledge-beds")
        volunteer.click("button:has-text('Pledge')")
        volunteer.wait_for_selector("text=Your beds are pledged")
        volunteer.click("text=Pledge seats")
        volunteer.fill("#id_seats", "4")
        volunteer.select_option("#id_area", "Schaerbeek / Schaarbeek")
        self.shot(volunteer, "pledge-seats")
        volunteer.click("button:has-text('Pledge')")
        volunteer.wait_for_selector("text=Your seats are pledged")
        self.shot(volunteer, "my-pledges")

        # 5. At the park, the coordinator registers parties: a woman alone, a family, two men.
        self.go(coordinator, "/intake/brussels/")
        tickets = {}
        for count, (who, size, gender, why, minor) in enumerate( (("woman", "1", "f", "woman", False), ("family", "3", "mixed", "", True),
                                              ("man 1", "1", "m", "", False), ("man 2", "1", "m", "", False)), 1):
            coordinator.click(f"label:has(input[name=size_choice][value='{size}'])")
            coordinator.click(f"label:has(input[name=gender][value='{gender}'])")
            coordinator.click(f"label:has(input[name=vulnerable_why][value='{why}'])")
            if minor:
                coordinator.check("input[name=minor]")
            coordinator.click("button.save >> nth=0")
            expect(coordinator.locator("h2:has-text('waiting')")).to_contain_text(
                f"{count} part{'y' if count == 1 else 'ies'} waiting")  # the page says the party is in
            tickets[who] = coordinator.inner_text(".new-ticket .ticket").strip()
            if who == "woman":  # her ticket, and the link her phone scans from the coordinator's
                self.shot(coordinator, "intake")
                coordinator.click("text=Link for the guest's phone")
                coordinator.wait_for_selector(".qr svg")
                self.shot(coordinator, "guest-link")
                guest_link = coordinator.get_attribute("text=Open the guest's page here", "href")
                coordinator.click("text=Back")
        with self.database():
            self.assertEqual(Party.objects.get(ticket=tickets["family"]).size, 3)
            self.assertTrue(Party.objects.get(ticket=tickets["woman"]).vulnerable)

        # 6. She plans (the planner runs in the background; the board polls), reads the proposal, announces.
        coordinator.click("a[href='/brussels/tonight/'] >> nth=0")  # the board
        coordinator.wait_for_selector("#proposal")
        self.shot(coordinator, "board")
        coordinator.click("#proposal button:has-text('Plan')")
        coordinator.wait_for_selector("#proposal summary:has-text('Announce')", timeout=30_000)
        self.shot(coordinator, "proposal")
        coordinator.click("#proposal summary:has-text('Announce')")  # it asks first
        coordinator.click("#proposal button:has-text('Yes, announce now')")
        coordinator.wait_for_selector("text=Announced.")
        self.shot(coordinator, "announced")
        with self.database():
            woman = Party.objects.select_related("placement__home__host").get(ticket=tickets["woman"])
            self.assertEqual(woman.placement.home.host.first_name, "Yasmine")  # a vulnerable woman goes to a home

        # The woman's phone opens the link from the QR code: her ride, its time, the driver's first name.
        guest = self.watched_as("guest")
        guest.goto(guest_link)
        guest.wait_for_selector("text=Your ride leaves")
        self.assertIn(tickets["woman"], guest.inner_text("body"))
        self.shot(guest, "ticket")

        # 7. The driver opens her run sheet (on her phone only) and marks her trip departed, then the stop dropped.
        self.go(volunteer, "/")
        volunteer.click("text=My run tonight")
        self.shot(volunteer, "driver-tonight")
        volunteer.click("text=Open tonight's run sheet")
        volunteer.wait_for_selector("#sheet")
        self.assertIn("Rue Josaphat 100", volunteer.inner_text(".address"))  # the next stop's address, to her
        self.shot(volunteer, "run-sheet")
        copied = self.new_page()  # the same link on another phone: refused, no address
        copied.goto(volunteer.url)
        copied.wait_for_selector("text=already open on another phone")
        self.assertNotIn("Rue Josaphat", copied.inner_text("body"))
        volunteer.click("#sheet button:has-text('Departed')")
        volunteer.wait_for_selector("#sheet p.muted:has-text('Departed')")  # the sheet came back, departed
        dropped = volunteer.locator("#sheet button:has-text('Dropped')")
        for stops_left in range(dropped.count(), 0, -1):
            dropped.first.click()
            expect(dropped).to_have_count(stops_left - 1)  # the sheet came back with one stop fewer
        self.shot(volunteer, "run-sheet-done")
        self.assertEqual(volunteer.locator(".address").count(), 0)  # dropped: the address is no longer shown
        with self.database():
            self.assertFalse(Trip.objects.filter(departed_at__isnull=True, stops__dropped_at__isnull=True).exists())

        # 8. The host confirms her guests arrived.
        self.go(volunteer, "/")
        volunteer.click("text=My guests tonight")
        volunteer.wait_for_selector("h1:has-text('Your guests tonight')")
        self.shot(volunteer, "host-notice")
        arrived = volunteer.locator("button:has-text('They arrived')")
        for guests_left in range(arrived.count(), 0, -1):
            arrived.first.click()
            expect(arrived).to_have_count(guests_left - 1)  # the page came back with one party fewer to confirm
        with self.database():
            self.assertEqual(Party.objects.get(ticket=tickets["woman"]).status, Party.Status.ARRIVED)

        # 9. The coordinator closes the night; the page shows the night's counts.
        self.go(coordinator, "/")
        coordinator.click("text=Close the night")
        coordinator.click("#counts button")
        coordinator.wait_for_selector("text=Counts kept at")
        self.shot(coordinator, "close")
        shown = {th.inner_text().strip(): td.inner_text().strip()
                 for th, td in zip(coordinator.locator("#counts th").all(), coordinator.locator("#counts td").all())}
        with self.database():
            self.assertEqual(shown, self.expected_counts())

        self.assertEqual(self.problems, [])

    def expected_counts(self) -> dict:
        """The counts the close page must show, worked out from tonight's rows."""
        parties = Party.objects.filter(night__hub=self.hub)
        placed = Placement.objects.filter(night__hub=self.hub, announced=True)
        people = parties.aggregate(n=Sum("size"))["n"]
        dormitory = placed.filter(shelter__isnull=False).aggregate(n=Sum("party__size"))["n"] or 0
        hosts = placed.filter(home__isnull=False).aggregate(n=Sum("party__size"))["n"] or 0
        vulnerable = parties.filter(vulnerable=True).aggregate(n=Sum("size"))["n"] or 0
        vulnerable_sheltered = placed.filter(party__vulnerable=True).aggregate(n=Sum("party__size"))["n"] or 0
        trips = Trip.objects.filter(night__hub=self.hub)
        km = round(sum(trips.values_list("km", flat=True)), 1)
        self.assertGreater(hosts, 0)
        self.assertGreater(dormitory, 0)
        return {
            "People at the park": str(people),
            "In the dormitory and shelters": str(dormitory),
            "With hosts": str(hosts),
            "of whom on a stay": str(parties.filter(status=Party.Status.STAYING).aggregate(n=Sum("size"))["n"] or 0),
            "Left waiting": str(people - dormitory - hosts),
            "Vulnerable, sheltered": f"{vulnerable_sheltered} / {vulnerable}",
            "Hosts": str(placed.filter(home__isnull=False).values("home").distinct().count()),
            "Drivers": str(trips.values("driver").distinct().count()),
            "Drivers' km": str(km),
        }
