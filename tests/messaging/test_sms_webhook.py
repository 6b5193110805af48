"""Replies by SMS through the gateway's signed webhook: "1 4821" answers; bad ones change nothing.

The events are posted to the Django view as the gateway phone posts them: the JSON envelope
(``id``, ``event``, ``payload``) signed with ``X-Signature`` = HMAC-SHA256(body + timestamp).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.core import mail
from django.test import override_settings

from nightstay.messaging.models import Message, SmsReceipt
from tests.messaging.test_sms import SmsTestCase

BRUSSELS = ZoneInfo("Europe/Brussels")
URL = "/m/sms/webhook/"
STRANGER = "+32499887766"
EVENING_PLUS_HOUR = datetime(2026, 11, 24, 18, 1, tzinfo=BRUSSELS)


class WebhookTests(SmsTestCase):
    def post(self, event: str, payload: dict, event_id: str = "evt-1", key: str = "webhook-signing-key",
             at: int | None = None):
        body = json.dumps({"id": event_id, "webhookId": "nightstay", "deviceId": "test-phone", "event": event,
                           "payload": payload}).encode()
        timestamp = str(at if at is not None else int(time.time()))
        signature = hmac.new(key.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()
        return self.client.post(URL, body, content_type="application/json",
                                headers={"X-Signature": signature, "X-Timestamp": timestamp})

    def received(self, text: str, sender: str = "+32470112233", **kw):
        return self.post("sms:received", {"messageId": "abc", "message": text, "sender": sender,
                                          "phoneNumber": sender, "simNumber": 1,
                                          "receivedAt": "2026-11-24T17:05:00.000+01:00"}, **kw)

    def test_a_reply_1_with_its_code_answers_yes_once(self):
        message = self.queue()
        answer = self.received(f"1 {message.reply_code}")
        self.assertEqual((answer.status_code, answer.content), (200, b"taken"))
        self.assertEqual(self.answers, [("pledge-7", True)])
        message.refresh_from_db()
        self.assertEqual((message.state, message.answer), ("answered", "yes"))

    def test_a_reply_from_another_phone_is_refused_even_with_the_right_code(self):
        message = self.queue()
        self.assertEqual(self.received(f"{message.reply_code} 2", sender=STRANGER).content, b"unknown")
        self.assertEqual(self.answers, [])
        self.assertEqual(self.received(f"{message.reply_code} 2", sender="0032 470 11 22 33", event_id="e2").content,
                         b"taken")  # the account's own number, however the gateway writes it
        self.assertEqual(self.answers, [("pledge-7", False)])

    def test_bad_replies_change_nothing_answer_200_and_are_logged_without_their_text(self):
        message = self.queue()
        with self.assertLogs("nightstay.messaging", "INFO") as logs:
            self.assertEqual(self.received("1 9999", event_id="e1").content, b"unknown")  # no such code
            self.assertEqual(self.received("Hello who is this", sender=STRANGER, event_id="e2").content,
                             b"unreadable")  # an unknown number that sends no reply
            self.assertEqual(self.received(f"1 {message.reply_code}", event_id="e3").content, b"taken")
            self.assertEqual(self.received(f"1 {message.reply_code}", event_id="e3").content, b"duplicate")
            self.assertEqual(self.received(f"2 {message.reply_code}", event_id="e4").content, b"unknown")  # answered
        self.assertEqual(self.answers, [("pledge-7", True)])
        output = "\n".join(logs.output)
        for secret in ("Hello", message.reply_code, "9999", STRANGER, "+32470112233"):
            self.assertNotIn(secret, output)

    def test_a_reply_after_the_night_changes_nothing(self):
        message = self.queue()
        with time_machine.travel(datetime(2026, 11, 25, 9, 0, tzinfo=BRUSSELS), tick=False):
            answer = self.received(f"1 {message.reply_code}")
        self.assertEqual((answer.status_code, answer.content), (200, b"over"))
        self.assertEqual(self.answers, [])

    def test_a_bad_stale_or_unconfigured_signature_is_refused(self):
        message = self.queue()
        text = f"1 {message.reply_code}"
        self.assertEqual(self.received(text, key="guessed").status_code, 403)
        self.assertEqual(self.received(text, at=int(time.time()) - 3600).status_code, 403)  # a replay
        with override_settings(SMS_WEBHOOK_SECRET=""):
            self.assertEqual(self.received(text, key="").status_code, 403)
        unsigned = self.client.post(URL, json.dumps({"id": "x", "event": "sms:received", "payload": {"message": text}}),
                                    content_type="application/json")
        self.assertEqual(unsigned.status_code, 403)
        self.assertEqual(self.client.get(URL).status_code, 405)
        self.assertEqual(self.answers, [])
        self.assertEqual(self.received(text).status_code, 200)  # the refusals did not use the event up

    def test_an_unreadable_body_with_a_good_signature_is_taken_as_nothing(self):
        timestamp = str(int(time.time()))
        body = b"not json"
        signature = hmac.new(b"webhook-signing-key", body + timestamp.encode(), hashlib.sha256).hexdigest()
        answer = self.client.post(URL, body, content_type="application/json",
                                  headers={"X-Signature": signature, "X-Timestamp": timestamp})
        self.assertEqual((answer.status_code, answer.content), (200, b"unreadable"))

    def test_delivery_events_record_how_far_an_sms_went(self):
        message = self.queue()
        payload = {"messageId": str(message.pk), "recipient": "+32470112233", "phoneNumber": "+32470112233"}
        self.assertEqual(self.post("sms:sent", payload, event_id="s1").content, b"recorded")
        self.assertEqual(self.post("sms:delivered", payload, event_id="s2").content, b"recorded")
        self.assertEqual(SmsReceipt.objects.get(message=message).state, "delivered")
        self.assertEqual(self.post("sms:sent", payload, event_id="s3").content, b"recorded")  # late: kept as it was
        self.assertEqual(SmsReceipt.objects.get(message=message).state, "delivered")
        self.assertEqual(self.post("system:ping", {}, event_id="p1").content, b"ignored")

    def test_a_failed_event_sends_the_message_again_by_the_next_channel(self):
        message = self.queue()
        payload = {"messageId": str(message.pk), "reason": "RESULT_ERROR_NO_SERVICE", "phoneNumber": "+32470112233"}
        self.assertEqual(self.post("sms:failed", payload, event_id="f1").content, b"retried")
        message.refresh_from_db()
        self.assertEqual((message.state, message.channel), ("sent", "email"))
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(self.post("sms:failed", payload, event_id="f2").content, b"stale")  # it went by e-mail
        self.assertEqual(Message.objects.count(), 1)

    def test_an_event_that_broke_on_the_way_is_taken_when_the_gateway_sends_it_again(self):
        message = self.queue()
        broken = [True]

        def handler(message, yes):
            if broken:
                broken.pop()
                raise RuntimeError("the database went away")
            self.answers.append((message.about, yes))

        from nightstay.messaging import replies
        replies.on_answer("sms_test_question")(handler)
        with self.assertRaises(RuntimeError):
            self.received(f"1 {message.reply_code}", event_id="retry-me")
        self.assertEqual(self.received(f"1 {message.reply_code}", event_id="retry-me").content, b"taken")
        self.assertEqual(self.answers, [("pledge-7", True)])


class ReplyCodeAttackTests(WebhookTests):
    """An infiltrator (or anyone who got one SMS from the gateway phone, so knows its number) texts
    "2 <code>" for every 4-digit code: each open question of the night is one of 9,000 codes."""

    def test_sweeping_codes_from_another_number_answers_nobodys_question(self):
        hugos, daras = self.queue(), self.queue(user=self.dara)
        codes = sorted({hugos.reply_code, daras.reply_code} | {str(c) for c in range(1000, 1030)})
        outcomes = [self.received(f"2 {code}", sender=STRANGER, event_id=f"sweep-{code}").content for code in codes]
        self.assertEqual(self.answers, [])  # no pledge called off
        self.assertNotIn(b"taken", outcomes)
        self.assertEqual(outcomes.count(b"throttled"), len(codes) - 5)  # after 5 refusals the number is not heard
        for message in (hugos, daras):
            message.refresh_from_db()
            self.assertEqual((message.state, message.answer), ("sent", ""))

    def test_the_owner_guessing_codes_is_stopped_after_five_refusals_an_hour(self):
        hugos = self.queue()
        wrong = [c for c in (str(n) for n in range(2000, 2010)) if c != hugos.reply_code][:5]
        for n, code in enumerate(wrong):
            self.assertEqual(self.received(f"2 {code}", event_id=f"w{n}").content, b"unknown")
        self.assertEqual(self.received(f"2 {hugos.reply_code}", event_id="right").content, b"throttled")
        self.assertEqual(self.answers, [])
        with time_machine.travel(EVENING_PLUS_HOUR, tick=False):
            self.assertEqual(self.received(f"2 {hugos.reply_code}", event_id="later").content, b"taken")

    def test_with_the_signing_key_leaked_a_forged_sender_still_needs_the_victims_number_and_code(self):
        """The webhook's key alone lets one post any sender: a sweep from made-up numbers takes nothing."""
        hugos = self.queue()
        for n in range(40):
            sender = f"+3247{n:07d}"
            self.assertNotEqual(self.received(f"2 {hugos.reply_code}", sender=sender, event_id=f"f{n}").content,
                                b"taken")
        self.assertEqual(self.answers, [])
