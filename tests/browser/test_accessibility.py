"""Every page a volunteer uses, checked in real Chromium at phone size (390x844) by axe-core
(vendored under tests/browser/vendor/): no WCAG 2.1 A/AA violation and no text under 16 px;
on intake, the board and the run sheet no tap target under 44x44 px and no two buttons that touch; and no logged-in page
scrolls sideways at 200 % zoom (a 180 px wide screen). The pages added for messages and stays
(the one-tap answer, "How we reach you", hub settings, the board's links and messages, the
driver's page, keeping and ending a stay) are checked with their tap targets too."""
from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from nightstay.dispatch import announce
from nightstay.dispatch.models import RunSheetGrant
from nightstay.hubs.models import Night
from nightstay.intake.models import Party
from nightstay.messaging.models import Message
from nightstay.planning import runs
from nightstay.planning.models import Placement
from nightstay.pledges import still_on
from nightstay.pledges.models import BedPledge, Recurrence, SeatPledge

from ..web.base import HubTestCase
from .base import BrowserTestCase

AXE = (Path(__file__).parent / "vendor" / "axe-4.10.3.min.js").read_text()
NINE_PM = datetime(2026, 11, 24, 21, 0, tzinfo=ZoneInfo("Europe/Brussels"))
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Every element a finger can act on; a checkbox or radio counts by the label it sits in.
SMALL_TARGETS = """() => {
  const small = [];
  for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    const box = (el.type === 'checkbox' || el.type === 'radio') && el.closest('label') ? el.closest('label') : el;
    const r = box.getBoundingClientRect(), style = getComputedStyle(box);
    if (!r.width || !r.height || style.visibility === 'hidden') continue;
    if (r.width < 43.5 || r.height < 43.5)
      small.push(`${el.tagName} "${(el.innerText || el.value || el.name || '').trim().slice(0, 30)}" ${Math.round(r.width)}x${Math.round(r.height)}`);
  }
  return small;
}"""

# Buttons a cold thumb could hit both of: two that touch (under 4 px apart) side by side or one above the other.
TOUCHING_BUTTONS = """() => {
  const name = el => (el.innerText.trim() || el.outerHTML).slice(0, 40);
  const boxes = [...document.querySelectorAll('button, a.button')].map(el => [el, el.getBoundingClientRect()])
    .filter(([el, r]) => r.width && r.height && el.checkVisibility({visibilityProperty: true}));  // not in a closed <details>
  const touching = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const [a, r] = boxes[i], [b, q] = boxes[j];
    const dx = Math.max(q.left - r.right, r.left - q.right), dy = Math.max(q.top - r.bottom, r.top - q.bottom);
    if (dx < 4 && dy < 4) touching.push(`"${name(a)}" / "${name(b)}"`);
  }
  return touching;
}"""

# Text a volunteer reads: every visible element with text of its own, under 16 px.
SMALL_TEXT = """() => [...document.querySelectorAll('body *')].filter(el =>
  [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()) && el.getClientRects().length
  && getComputedStyle(el).visibility !== 'hidden' && parseFloat(getComputedStyle(el).fontSize) < 16
).map(el => `${el.tagName} "${el.textContent.trim().slice(0, 30)}" ${getComputedStyle(el).fontSize}`)"""


@pytest.mark.browser
@override_settings(PLAN_IN_BACKGROUND=False, PLAN_TIME_LIMIT=1)
class AccessibilityTests(BrowserTestCase):
    def setUp(self):
        HubTestCase.setUpTestData.__func__(type(self))
        traveller = time_machine.travel(NINE_PM, tick=True)
        traveller.start()
        self.addCleanup(traveller.stop)
        self.night = Night.for_date(self.hub, self.today)
        BedPledge.objects.create(home=self.hugo_home, beds=2, pickup="driver", first_date=self.today,
                                 ready_from=time(21), latest_arrival=time(23, 30))
        BedPledge.objects.create(home=self.bea_home, beds=2, pickup="self", first_date=self.today,
                                 ready_from=time(21), latest_arrival=time(23, 30))
        SeatPledge.objects.create(hub=self.hub, driver=self.dara, seats=3, first_date=self.today,
                                  available_from=time(20, 30), available_until=time(0, 30), home_lat=50.85,
                                  home_lon=4.40)
        since = datetime(2026, 11, 24, 20, 0, tzinfo=ZoneInfo("Europe/Brussels"))
        self.family = Party.objects.create(night=self.night, ticket="FAMY", size=2, gender="mixed", vulnerable=True,
                                           languages="ar,en", waiting_since=since)
        Party.objects.create(night=self.night, ticket="WUMA", size=1, gender="f", vulnerable=True, languages="ti",
                             waiting_since=since)
        Party.objects.create(night=self.night, ticket="MENA", size=1, gender="m", waiting_since=since)

    def audit(self, page, path: str, targets: bool = False, zoom: bool = True) -> None:
        """Open ``path`` and check it: axe's WCAG 2.1 A/AA rules; the targets; 200 % zoom."""
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(self.live_server_url + path)
        self.check(page, path, targets, zoom)

    def check(self, page, path: str, targets: bool = False, zoom: bool = True) -> None:
        """Check the page as it shows now (after a tap that opened a part of it)."""
        page.wait_for_load_state("networkidle")
        page.set_viewport_size({"width": 390, "height": 844})
        page.evaluate(AXE)  # through the debugging protocol: the site's CSP stays as it is
        result = page.evaluate("async (tags) => (await axe.run(document, {runOnly: tags})).violations"
                               ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))",
                               WCAG)
        self.assertEqual(result, [], f"axe on {path}")
        self.assertEqual(page.evaluate(SMALL_TEXT), [], f"text under 16 px on {path}")
        if targets:
            self.assertEqual(page.evaluate(SMALL_TARGETS), [], f"targets under 44 px on {path}")
            self.assertEqual(page.evaluate(TOUCHING_BUTTONS), [], f"buttons that touch on {path}")
        if zoom:
            page.set_viewport_size({"width": 180, "height": 422})
            width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            self.assertLessEqual(width[0], width[1], f"sideways scroll at 200 % on {path}")

    def test_the_coordinators_pages(self):
        page, problems = self.page_logged_in_as(self.colette)
        hub = {"hub": "brussels"}
        self.audit(page, reverse("intake:intake", kwargs=hub), targets=True)
        self.audit(page, reverse("board", kwargs=hub), targets=True)
        self.audit(page, reverse("vetting_queue", kwargs=hub))
        self.audit(page, reverse("stays", kwargs=hub))
        self.audit(page, reverse("intake:guest_link", kwargs={**hub, "party_id": self.family.pk}))
        runs.start(self.night, self.colette)
        self.audit(page, reverse("board", kwargs=hub), targets=True)
        self.audit(page, reverse("board", kwargs=hub) + "?p=WUMA", targets=True)
        self.audit(page, reverse("intake:ticket", args=[self.family.guest_token()]), zoom=False)

    def test_the_drivers_and_hosts_pages(self):
        runs.start(self.night, self.colette)
        announce.announce(self.night)
        _grant, token = RunSheetGrant.issue(self.night, self.dara)
        page = self.new_page()
        self.audit(page, reverse("run_sheet", args=[token]), targets=True)
        page.click("button:has-text('Departed')")
        page.wait_for_selector("text=Dropped")
        self.audit(page, reverse("run_sheet", args=[token]), targets=True)
        driver, _ = self.page_logged_in_as(self.dara)
        self.audit(driver, reverse("driver_tonight", kwargs={"hub": "brussels"}))
        host, _ = self.page_logged_in_as(self.hugo)
        self.audit(host, reverse("host_tonight", kwargs={"hub": "brussels"}))
        self.audit(host, reverse("pledges:mine", kwargs={"hub": "brussels"}))
        self.audit(host, reverse("pledges:new_beds", kwargs={"hub": "brussels"}))

    def test_the_messages_and_stays_pages(self):
        """A host answers "still on tonight?" from the e-mail link and sets how to be reached;
        the hub admin sets the hours; the coordinator sends every driver their link, sees the
        ticks and the marks, opens "message a driver" and makes a stay; the host keeps a guest
        more nights and opens "End the stay"; the driver's own page with its code to scan."""
        BedPledge.objects.create(home=self.hugo_home, beds=2, pickup="driver", first_date=self.today + timedelta(1),
                                 recurrence=Recurrence.DAILY, until=self.today + timedelta(7), ready_from=time(21),
                                 latest_arrival=time(23, 30))  # Hugo can keep a guest more nights
        still_on.ask(self.hub, self.today, "hosts")
        message = Message.objects.get(template="still_on", recipient=self.hugo)
        token = message.new_token()
        message.save(update_fields=["token_hash"])
        phone = self.new_page()
        self.audit(phone, reverse("messaging:answer", args=[token]), targets=True)
        phone.click("button:has-text('Yes')")
        phone.wait_for_selector("text=Thank you: your answer is yes.")
        self.check(phone, "the answer, taken", targets=True)
        host, _ = self.page_logged_in_as(self.hugo)
        self.audit(host, reverse("messaging:contact"), targets=True)
        admin, _ = self.page_logged_in_as(self.adele)
        self.audit(admin, reverse("hub_settings", kwargs={"hub": "brussels"}), targets=True)

        with self.database():  # the pages opened above may still be talking to the server
            runs.start(self.night, self.colette)
            announce.announce(self.night)
        hub = {"hub": "brussels"}
        board, _ = self.page_logged_in_as(self.colette)
        self.audit(board, reverse("board", kwargs=hub), targets=True)  # Béa's "unconfirmed" on her button
        board.click("#send-links button")
        board.wait_for_selector("#links .tick")
        board.click("#driver-messages summary")
        self.check(board, "the board, links sent, message a driver open", targets=True)
        with self.database():
            hugos = Placement.objects.filter(night=self.night, home=self.hugo_home).select_related("party").first()
        board.goto(self.live_server_url + reverse("board", kwargs=hub) + f"?p={hugos.party.ticket}")
        board.click(".chosen summary:has-text('Make a stay')")
        self.check(board, "the chosen party, make a stay open", targets=True)
        driver, _ = self.page_logged_in_as(self.dara)
        self.audit(driver, reverse("driver_tonight", kwargs=hub), targets=True)

        self.audit(host, reverse("host_tonight", kwargs=hub), targets=True)
        host.click("summary:has-text('Keep them more nights')")
        self.check(host, "keep them more nights, open", targets=True)
        host.click("button:has-text('Keep them')")
        host.wait_for_selector("text=stays until the night of")
        host.click("summary:has-text('End the stay')")
        self.check(host, "end the stay, open", targets=True)
        self.audit(board, reverse("stays", kwargs=hub), targets=True)

    def test_the_log_in_page(self):
        self.audit(self.new_page(), reverse("login"), targets=True, zoom=False)
