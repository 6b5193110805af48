"""Logging out on a phone stops its pushed messages, and the page does not pretend otherwise:
after a log-out and a new log-in the button offers "Get messages on this phone" again, though
the browser still holds its subscription (the site forgot it; ``messaging.push_forget``)."""
import json

import pytest
from django.conf import settings
from django.test import Client

from nightstay.messaging.models import PushSubscription

from ..messaging.push_service import PushService
from ..web.base import HubTestCase
from .base import BrowserTestCase

# The browser's subscription, as a stand-in (see test_push_phone) that outlives a page load,
# as a real browser's does: kept in localStorage until unsubscribed.
STAND_IN = """
(() => {
  const load = () => { const kept = localStorage.getItem("stand-in"); return kept ? wrap(JSON.parse(kept)) : null; };
  const wrap = json => ({endpoint: json.endpoint, toJSON: () => json,
                         unsubscribe: () => { localStorage.removeItem("stand-in"); return Promise.resolve(true); }});
  PushManager.prototype.subscribe = function () {  // as a browser: the subscription it holds, or a new one
    if (!localStorage.getItem("stand-in")) localStorage.setItem("stand-in", JSON.stringify(window.STAND_IN));
    return Promise.resolve(load());
  };
  PushManager.prototype.getSubscription = function () { return Promise.resolve(load()); };
})();
"""


@pytest.mark.browser
class PushLogoutTests(BrowserTestCase):
    def setUp(self):
        HubTestCase.setUpTestData.__func__(type(self))
        self.service = self.enterContext(PushService())

    def test_after_a_log_out_the_phone_gets_nothing_and_the_page_says_so(self):
        page, problems = self.page_logged_in_as(self.hugo)
        page.context.grant_permissions(["notifications"], origin=self.live_server_url)
        page.add_init_script(STAND_IN)
        tonight = f"{self.live_server_url}/{self.hub.slug}/host/tonight/"
        page.goto(tonight)
        page.evaluate(f"window.STAND_IN = {json.dumps(self.service.subscription('hugo-phone'))}")
        page.click("button:has-text('Get messages on this phone')")
        page.wait_for_selector("text=Messages come to this phone.")
        page.reload()
        page.wait_for_selector("text=Messages come to this phone.")  # kept: the site has it for this session

        page.click("button:has-text('Log out')")
        page.wait_for_url("**/login/**")
        with self.database():
            self.assertFalse(PushSubscription.objects.filter(user=self.hugo).exists())
            client = Client()
            client.force_login(self.hugo)  # Hugo logs in again on the same phone
        page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.session.session_key,
                                   "url": self.live_server_url}])
        page.goto(tonight)
        page.wait_for_selector("button:has-text('Get messages on this phone')", state="visible")
        self.assertFalse(page.is_visible("text=Messages come to this phone."))
        self.assertTrue(page.evaluate("localStorage.getItem('stand-in') !== null"))  # the browser still holds one
        page.click("button:has-text('Get messages on this phone')")  # one tap: pushed messages again
        page.wait_for_selector("text=Messages come to this phone.")
        with self.database():
            self.assertEqual(PushSubscription.objects.filter(user=self.hugo).count(), 1)
        self.assertEqual(problems, [])
