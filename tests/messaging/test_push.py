"""Web push end to end: pywebpush against a push service on this machine that checks the VAPID
signature and decrypts the payload with the subscription's keys, as a browser does (RFC 8291)."""
from __future__ import annotations

import socket
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.core import mail
from django.db import connection
from django.test import override_settings

from nightstay.hubs.models import Night
from nightstay.messaging import outbox, vapid
from nightstay.messaging.channels.push import MAX_PAYLOAD, PushChannel, payload
from nightstay.messaging.models import Message, PushSubscription
from tests.messaging.push_service import PushService
from tests.web.base import HubTestCase

BRUSSELS = ZoneInfo("Europe/Brussels")
EVENING = datetime(2026, 11, 24, 17, 0, tzinfo=BRUSSELS)


@time_machine.travel(EVENING, tick=False)
@override_settings(MESSAGE_CHANNELS=["push", "email"], SITE_ROOT="https://nightstay.example")
class PushChannelTests(HubTestCase):
    def setUp(self):
        self.night = Night.for_date(self.hub, self.today)
        self.service = self.enterContext(PushService())

    def phone(self, name: str, user=None) -> PushSubscription:
        sub = self.service.subscription(name)
        return PushSubscription.keep(user or self.hugo, sub["endpoint"], sub["keys"]["p256dh"], sub["keys"]["auth"])

    def queue(self) -> Message:
        with self.captureOnCommitCallbacks(execute=True):
            message = outbox.queue(self.hugo, self.night, "still_on", {"beds": 2}, about="pledge-1", asks=True)
        message.refresh_from_db()
        return message

    def test_a_message_reaches_the_phone_signed_and_encrypted_to_its_keys(self):
        phone = self.phone("hugo")
        message = self.queue()
        self.assertEqual(self.service.refused, [])
        self.assertEqual((message.state, message.channel), ("sent", "push"))
        self.assertEqual(mail.outbox, [])  # push carried it: no e-mail as well
        self.assertEqual(self.service.refused, [])
        [got] = self.service.received
        self.assertEqual(got.path, "/push/hugo")
        self.assertEqual(got.vapid_key, vapid.public_key())  # signed with the key the page subscribes with
        self.assertEqual(got.claims["aud"], self.service.origin)
        shown = got.json()  # decrypted with the browser's private key and auth secret
        self.assertEqual(shown["title"], message.subject)
        self.assertIn("Hello Hugo, you pledged 2 beds for tonight.", shown["body"])
        self.assertIn(message.reply_code, shown["body"])
        self.assertNotIn("http", shown["body"])  # the link is the tap, not text
        self.assertTrue(shown["url"].startswith("https://nightstay.example/m/"))
        self.assertIn(shown["url"], message.body)  # the message's own one-tap link
        self.assertEqual(shown["tag"], str(message.pk))
        self.assertEqual(got.headers.get("urgency"), "high")
        phone.refresh_from_db()
        self.assertEqual(phone.last_ok_at, EVENING)

    def test_every_phone_of_the_volunteer_gets_it(self):
        self.phone("hugo-phone")
        self.phone("hugo-tablet")
        self.phone("dara", self.dara)
        self.queue()
        self.assertEqual(sorted(r.path for r in self.service.received), ["/push/hugo-phone", "/push/hugo-tablet"])

    def test_a_subscription_the_service_says_is_gone_is_deleted_and_email_carries_the_message(self):
        self.phone("hugo")
        self.service.answer("hugo", 410)
        message = self.queue()
        self.assertEqual((message.state, message.channel), ("sent", "email"))
        self.assertEqual(len(mail.outbox), 1)
        self.assertFalse(PushSubscription.objects.filter(user=self.hugo).exists())
        self.assertFalse(PushChannel().reaches(message))  # the next message goes straight to e-mail

    def test_one_phone_gone_and_one_there_is_delivered_and_only_the_gone_one_deleted(self):
        self.phone("old")
        kept = self.phone("new")
        self.service.answer("old", 404)
        message = self.queue()
        self.assertEqual(message.channel, "push")
        self.assertEqual(list(PushSubscription.objects.filter(user=self.hugo)), [kept])

    @override_settings(MESSAGE_CHANNELS=["push"])
    def test_a_push_service_down_means_try_again_later_and_the_phone_is_kept(self):
        self.phone("hugo")
        self.service.answer("hugo", 500)
        message = self.queue()
        self.assertEqual((message.state, message.attempts, message.error), ("queued", 1, "push: HTTP 500"))
        self.assertEqual(message.not_before, EVENING + outbox.RETRY_WAITS[0])
        self.assertTrue(PushSubscription.objects.filter(user=self.hugo).exists())
        del self.service.answers["/push/hugo"]  # back up
        with time_machine.travel(message.not_before + timedelta(seconds=1), tick=False):
            self.assertEqual(outbox.flush_due(), 1)
        message.refresh_from_db()
        self.assertEqual((message.state, message.channel, message.attempts), ("sent", "push", 2))
        self.assertEqual(len(self.service.received), 1)

    @override_settings(MESSAGE_CHANNELS=["push"])
    def test_no_answer_at_all_is_also_worth_a_retry(self):
        with socket.socket() as s:  # a port nobody listens on
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        keys = self.service.subscription("nowhere")["keys"]
        PushSubscription.keep(self.hugo, f"http://127.0.0.1:{port}/push/x", keys["p256dh"], keys["auth"])
        message = self.queue()
        self.assertEqual((message.state, message.error), ("queued", "push: ConnectionError"))

    def test_without_a_subscription_push_does_not_reach_them_and_email_does(self):
        message = self.queue()
        self.assertEqual((message.state, message.channel), ("sent", "email"))
        self.assertEqual(self.service.received, [])

    def test_the_endpoint_and_keys_are_sealed_in_the_database(self):
        phone = self.phone("hugo")
        with connection.cursor() as cursor:
            cursor.execute("SELECT endpoint, p256dh, auth, endpoint_index FROM messaging_pushsubscription")
            row = cursor.fetchone()
        self.assertTrue(all(value.startswith("ns1:") for value in row[:3]))
        self.assertNotIn("127.0.0.1", " ".join(row))
        self.assertEqual(PushSubscription.objects.get(endpoint_index=PushSubscription.index(phone.endpoint)), phone)

    def test_the_payload_stays_small_whatever_the_body(self):
        message = Message(recipient=self.hugo, urgent=False)
        body = "Long " * 2000 + "\nhttps://nightstay.example/run/abc/\nhttps://elsewhere.example/x"
        data = payload(message, "Subject", body)
        self.assertLess(len(data), MAX_PAYLOAD)
        self.assertIn(b'"url": "https://nightstay.example/run/abc/"', data)  # the site's own link, not another
        self.assertNotIn(b"elsewhere", data)
