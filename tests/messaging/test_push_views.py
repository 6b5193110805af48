"""A phone subscribes to web push from a volunteer's page, or stops; the worker and key it uses."""
from __future__ import annotations

import base64
import json

from django.test import Client, override_settings
from django.urls import reverse

from nightstay.messaging import vapid
from nightstay.messaging.checks import check_vapid_subject
from nightstay.messaging.models import PushSubscription
from nightstay.messaging.push_views import PHONES_PER_VOLUNTEER
from tests.messaging.push_service import PushService
from tests.web.base import HubTestCase

SUBSCRIBE = reverse("messaging:push_subscribe")
UNSUBSCRIBE = reverse("messaging:push_unsubscribe")


class SubscribeTests(HubTestCase):
    def setUp(self):
        self.service = self.enterContext(PushService())

    def post(self, url, data, client=None):
        return (client or self.client).post(url, json.dumps(data), content_type="application/json")

    def test_a_volunteer_subscribes_this_phone_and_can_stop(self):
        self.log_in(self.hugo)
        sub = self.service.subscription("hugo")
        self.assertEqual(self.post(SUBSCRIBE, sub).status_code, 201)
        self.assertEqual(self.post(SUBSCRIBE, sub).status_code, 201)  # the same phone again: still one row
        [kept] = PushSubscription.objects.filter(user=self.hugo)
        self.assertEqual(kept.info(), {"endpoint": sub["endpoint"], "keys": sub["keys"]})
        self.assertEqual(self.post(UNSUBSCRIBE, {"endpoint": sub["endpoint"]}).status_code, 204)
        self.assertFalse(PushSubscription.objects.exists())

    def test_a_phone_handed_to_another_volunteer_is_theirs_now(self):
        sub = self.service.subscription("shared")
        self.log_in(self.hugo)
        self.post(SUBSCRIBE, sub)
        self.log_in(self.dara)
        self.post(SUBSCRIBE, sub)
        self.assertEqual(list(PushSubscription.objects.values_list("user", flat=True)), [self.dara.pk])

    def test_only_the_newest_phones_are_kept(self):
        self.log_in(self.hugo)
        for n in range(PHONES_PER_VOLUNTEER + 2):
            self.post(SUBSCRIBE, self.service.subscription(f"p{n}"))
        kept = {s.endpoint for s in PushSubscription.objects.filter(user=self.hugo)}
        self.assertEqual(kept, {f"{self.service.origin}/push/p{n}" for n in range(2, PHONES_PER_VOLUNTEER + 2)})

    def test_nobody_stops_another_volunteers_phone(self):
        sub = self.service.subscription("hugo")
        self.log_in(self.hugo)
        self.post(SUBSCRIBE, sub)
        self.log_in(self.dara)
        self.assertEqual(self.post(UNSUBSCRIBE, {"endpoint": sub["endpoint"]}).status_code, 204)
        self.assertTrue(PushSubscription.objects.filter(user=self.hugo).exists())

    def test_it_requires_a_logged_in_volunteer_a_post_and_the_csrf_token(self):
        sub = self.service.subscription("x")
        self.assertEqual(self.post(SUBSCRIBE, sub).status_code, 302)  # to the log-in page
        self.log_in(self.hugo)
        self.assertEqual(self.client.get(SUBSCRIBE).status_code, 405)
        strict = Client(enforce_csrf_checks=True)
        strict.force_login(self.hugo)
        self.assertEqual(self.post(SUBSCRIBE, sub, strict).status_code, 403)
        self.assertFalse(PushSubscription.objects.exists())

    def test_what_is_not_a_usable_subscription_is_refused_with_a_reason(self):
        self.log_in(self.hugo)
        good = self.service.subscription("x")
        bad = [
            "not json",
            {"endpoint": good["endpoint"]},
            {**good, "endpoint": "http://push.example.com/x"},  # plain http to another machine
            {**good, "endpoint": "file:///etc/passwd"},
            {**good, "keys": {**good["keys"], "p256dh": base64.urlsafe_b64encode(b"\x04" + b"\x01" * 64).decode()}},
            {**good, "keys": {**good["keys"], "auth": "c2hvcnQ"}},
        ]
        for data in bad:
            response = self.client.post(SUBSCRIBE, data if isinstance(data, str) else json.dumps(data),
                                        content_type="application/json")
            self.assertEqual(response.status_code, 400, data)
            self.assertIn("subscription", response.json()["error"])
        self.assertFalse(PushSubscription.objects.exists())

    @override_settings(ALLOWED_HOSTS=["nightstay.example"])
    def test_a_public_site_takes_only_https_push_services(self):
        self.log_in(self.hugo)
        response = self.client.post(SUBSCRIBE, json.dumps(self.service.subscription("x")),
                                    content_type="application/json", HTTP_HOST="nightstay.example")
        self.assertEqual(response.status_code, 400)

    def test_the_volunteers_pages_offer_the_button_with_the_sites_public_key(self):
        self.log_in(self.hugo)
        page = self.client.get(reverse("host_tonight", kwargs={"hub": self.hub.slug})).content.decode()
        self.assertIn("Get messages on this phone", page)
        self.assertIn(f'data-push-key="{vapid.public_key()}"', page)
        self.log_in(self.dara)
        page = self.client.get(reverse("driver_tonight", kwargs={"hub": self.hub.slug})).content.decode()
        self.assertIn(f'data-push-sw="{reverse("messaging:push_sw")}"', page)

    def test_the_service_worker_is_served_by_the_site_to_anyone(self):
        response = self.client.get(reverse("messaging:push_sw"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/javascript")
        body = response.content.decode()
        self.assertIn('addEventListener("push"', body)
        self.assertIn('addEventListener("notificationclick"', body)


class KeyTests(HubTestCase):
    def test_with_no_key_configured_one_is_written_once_and_kept(self):
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "var" / "vapid-key"
            with override_settings(VAPID_PRIVATE_KEY="", VAPID_KEY_FILE=path):
                first = vapid.public_key()
                self.assertTrue(path.exists())
                self.assertEqual(path.stat().st_mode & 0o777, 0o600)
                self.assertEqual(vapid.public_key(), first)
        raw = base64.urlsafe_b64decode(first + "=" * (-len(first) % 4))
        self.assertEqual((len(raw), raw[0]), (65, 4))  # an uncompressed P-256 point, as browsers take it

    def test_a_public_push_site_must_name_a_reachable_subject(self):
        with override_settings(ALLOWED_HOSTS=["nightstay.example"], MESSAGE_CHANNELS=["push", "email"],
                               VAPID_SUBJECT="mailto:nightstay@localhost"):  # the laptop's default
            self.assertEqual([e.id for e in check_vapid_subject(None)], ["nightstay.E008"])
            for reachable in ("mailto:ops@nightstay.example", "https://nightstay.example"):
                with override_settings(VAPID_SUBJECT=reachable):
                    self.assertEqual(check_vapid_subject(None), [])
        with override_settings(ALLOWED_HOSTS=["nightstay.example"], MESSAGE_CHANNELS=["email"]):
            self.assertEqual(check_vapid_subject(None), [])


@override_settings(ALLOWED_HOSTS=["nightstay.example"])
class EndpointSsrfTests(HubTestCase):
    """An infiltrated volunteer's script subscribes "a phone" whose endpoint is an address on the
    server's own network: the worker would POST every message of theirs there."""

    def setUp(self):
        self.service = self.enterContext(PushService())
        self.keys = self.service.subscription("x")["keys"]

    def subscribe(self, endpoint: str):
        return self.client.post(SUBSCRIBE, json.dumps({"endpoint": endpoint, "keys": self.keys}),
                                content_type="application/json", HTTP_HOST="nightstay.example")

    def test_a_public_site_posts_only_to_known_push_services(self):
        self.log_in(self.hugo)
        for endpoint in ("https://169.254.169.254/latest/meta-data/", "https://10.0.0.5/admin", "https://[::1]/x",
                         "https://127.0.0.1/x", "https://localhost/x", "https://0x7f000001/x", "https://2130706433/x",
                         "https://sms-gateway.lan:8080/message", "https://fcm.googleapis.com.evil.test/x",
                         "https://evilfcm.googleapis.com.test/x", "https://fcm.googleapis.com:8443/x",
                         "https://user:pw@fcm.googleapis.com/x", "http://fcm.googleapis.com/fcm/send/x",
                         "https://intranet.example/push"):
            response = self.subscribe(endpoint)
            self.assertEqual(response.status_code, 400, endpoint)
        self.assertFalse(PushSubscription.objects.exists())
        for endpoint in ("https://fcm.googleapis.com/fcm/send/dXJ1:APA91b", "https://web.push.apple.com/QO4x",
                         "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
                         "https://wns2-par02p.notify.windows.com/w/?token=BQYAAA"):
            self.assertEqual(self.subscribe(endpoint).status_code, 201, endpoint)

    def test_a_subscription_stored_before_is_dropped_not_posted_to(self):
        sub = self.service.subscription("hugo")  # http on this machine: what a laptop takes
        PushSubscription.keep(self.hugo, sub["endpoint"], sub["keys"]["p256dh"], sub["keys"]["auth"])
        from nightstay.hubs.models import Night
        from nightstay.messaging import outbox

        night = Night.for_date(self.hub, self.today)
        with override_settings(MESSAGE_CHANNELS=["push", "email"]), self.captureOnCommitCallbacks(execute=True):
            message = outbox.queue(self.hugo, night, "still_on", {"beds": 1}, about="p", asks=True)
        message.refresh_from_db()
        self.assertEqual(self.service.received, [])  # nothing went to the stored address
        self.assertEqual((message.state, message.channel), ("sent", "email"))
        self.assertFalse(PushSubscription.objects.exists())
