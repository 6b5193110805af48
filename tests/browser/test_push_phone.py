"""Web push on a phone, in real Chromium: the host taps "Get messages on this phone", the page
registers the site's service worker and hands the subscription to the site; a message queued
for the host goes out signed and encrypted, and the service worker shows it as a notification.

The browser vendors' push services are outside this machine, so the browser's subscription is
a stand-in pointing at a push service on this machine (``tests.messaging.push_service``): it
checks the VAPID signature, decrypts the payload with the stand-in's keys as the browser would
(RFC 8291), and hands the plaintext to the service worker through the DevTools protocol
(``ServiceWorker.deliverPushMessage``), as a browser hands what its push service delivers.
"""
import json
from time import monotonic, sleep

import pytest

from nightstay.hubs.models import Night
from nightstay.messaging import outbox, vapid
from nightstay.messaging.models import PushSubscription

from ..messaging.push_service import PushService, unb64url
from ..web.base import HubTestCase
from .base import BrowserTestCase

# PushManager.subscribe in the page: what the page asked for is noted, and the stand-in
# subscription (window.STAND_IN, set by the test) is what the "browser" gives back.
STAND_IN = """
(() => {
  let current = null;
  PushManager.prototype.subscribe = function (options) {
    window.ASKED_KEY = Array.from(new Uint8Array(options.applicationServerKey));
    window.ASKED_VISIBLE = options.userVisibleOnly;
    const json = window.STAND_IN;
    current = {endpoint: json.endpoint, toJSON: () => json, unsubscribe: () => { current = null; return Promise.resolve(true); }};
    return Promise.resolve(current);
  };
  PushManager.prototype.getSubscription = function () { return Promise.resolve(current); };
})();
"""
# A tap on the notification, in the service worker: Chromium opens a window only for a real
# tap, so openWindow is noted instead of called; the handler's choice of link is what runs.
TAP = """async () => {
  self.clients.openWindow = url => { self.OPENED = url; return Promise.resolve(null); };
  const [shown] = await self.registration.getNotifications();
  const tap = new NotificationEvent("notificationclick", {notification: shown});
  let done = Promise.resolve();
  tap.waitUntil = promise => { done = promise; };
  self.dispatchEvent(tap);
  await done;
  return {opened: self.OPENED, left: (await self.registration.getNotifications()).length};
}"""
NOTIFICATIONS = """async () => {
  const reg = await navigator.serviceWorker.getRegistration("/m/push/sw.js");
  const shown = reg ? await reg.getNotifications() : [];
  return shown.map(n => ({title: n.title, body: n.body, url: n.data && n.data.url, tag: n.tag}));
}"""


def wait_for(check, seconds: float = 10):
    deadline = monotonic() + seconds
    while not (value := check()):
        if monotonic() > deadline:
            raise AssertionError(f"nothing after {seconds} s")
        sleep(0.05)
    return value


@pytest.mark.browser
class PushOnAPhoneTests(BrowserTestCase):
    def setUp(self):
        HubTestCase.setUpTestData.__func__(type(self))
        self.service = self.enterContext(PushService())

    def test_a_host_subscribes_and_a_pushed_message_is_shown_and_leads_to_its_link(self):
        page, problems = self.page_logged_in_as(self.hugo)
        page.context.grant_permissions(["notifications"], origin=self.live_server_url)
        page.add_init_script(STAND_IN)
        stand_in = self.service.subscription("hugo-phone")
        page.goto(f"{self.live_server_url}/{self.hub.slug}/host/tonight/")
        page.evaluate(f"window.STAND_IN = {json.dumps(stand_in)}")
        page.click("button:has-text('Get messages on this phone')")
        page.wait_for_selector("text=Messages come to this phone.")
        self.assertEqual(page.evaluate("window.ASKED_VISIBLE"), True)
        self.assertEqual(bytes(page.evaluate("window.ASKED_KEY")), unb64url(vapid.public_key()))  # the site's key
        with self.database():
            [phone] = PushSubscription.objects.filter(user=self.hugo)
            self.assertEqual(phone.endpoint, stand_in["endpoint"])

        cdp = page.context.new_cdp_session(page)
        registrations = {}
        cdp.on("ServiceWorker.workerRegistrationUpdated",
               lambda event: registrations.update({r["scopeURL"]: r["registrationId"] for r in event["registrations"]}))
        cdp.send("ServiceWorker.enable")
        scope = f"{self.live_server_url}/m/push/"
        registration = wait_for(lambda: page.wait_for_timeout(50) or registrations.get(scope))

        with self.settings(SITE_ROOT=self.live_server_url), self.database():
            night = Night.for_date(self.hub, self.hub.tonight().date)
            message = outbox.queue(self.hugo, night, "still_on", {"beds": 1}, about="pledge-1", asks=True)
            message.refresh_from_db()
        self.assertEqual((message.state, message.channel), ("sent", "push"))
        self.assertEqual(self.service.refused, [])
        [received] = self.service.received
        cdp.send("ServiceWorker.deliverPushMessage", {"origin": self.live_server_url, "registrationId": registration,
                                                      "data": received.plaintext.decode()})
        [shown] = wait_for(lambda: page.evaluate(NOTIFICATIONS))
        self.assertEqual(shown["title"], message.subject)
        self.assertIn("Hello Hugo, you pledged a bed for tonight.", shown["body"])
        self.assertTrue(shown["url"].startswith(f"{self.live_server_url}/m/"))
        self.assertIn(shown["url"], message.body)  # a tap opens the message's one-tap answer page
        [worker] = [w for w in page.context.service_workers if w.url.endswith("/m/push/sw.js")]
        self.assertEqual(worker.evaluate(TAP), {"opened": shown["url"], "left": 0})

        page.click("button:has-text('Stop')")
        page.wait_for_selector("button:has-text('Get messages on this phone')")
        with self.database():
            self.assertFalse(PushSubscription.objects.filter(user=self.hugo).exists())
        self.assertEqual(problems, [])
