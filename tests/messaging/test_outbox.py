"""The outbox: queued, sealed, delivered once by the first channel that carries it, retried, counted."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.core import mail
from django.db import connection
from django.test import override_settings

from nightstay.hubs.models import Night
from nightstay.messaging import outbox, replies
from nightstay.messaging.channels import CHANNELS, DeliveryError
from nightstay.messaging.counts import keep_counts
from nightstay.messaging.models import Message, MessageCount
from nightstay.privacy.retention import purge_night
from tests.web.base import HubTestCase

BRUSSELS = ZoneInfo("Europe/Brussels")
EVENING = datetime(2026, 11, 24, 17, 0, tzinfo=BRUSSELS)


class Flaky:
    """A channel that fails the first ``fails`` times, as a server that is down then back."""

    name = "flaky"

    def __init__(self, fails: int, retry: bool = True):
        self.fails, self.retry, self.sent = fails, retry, []

    def reaches(self, message):
        return True

    def deliver(self, message, subject, body):
        if self.fails:
            self.fails -= 1
            raise DeliveryError("ConnectionRefusedError", retry=self.retry)
        self.sent.append(body)


@time_machine.travel(EVENING, tick=False)
class OutboxTests(HubTestCase):
    def setUp(self):
        self.night = Night.for_date(self.hub, self.today)
        self.asked = []
        self.kept = replies.HANDLERS.get("still_on")
        replies.on_answer("still_on")(lambda message, yes: self.asked.append((message.about, yes)))

    def tearDown(self):
        replies.HANDLERS.pop("still_on", None)
        if self.kept:
            replies.HANDLERS["still_on"] = self.kept
        CHANNELS.pop("flaky", None)

    def queue(self, **kw):
        with self.captureOnCommitCallbacks(execute=True):
            return outbox.queue(self.hugo, self.night, "still_on", {"beds": 2}, about="pledge-1", **kw)

    def test_a_message_goes_by_e_mail_once_and_its_body_is_sealed_in_the_database(self):
        message = self.queue(asks=True)
        message.refresh_from_db()
        self.assertEqual((message.state, message.channel, message.attempts), ("sent", "email", 1))
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["hugo@example.org"])
        self.assertIn(message.reply_code, mail.outbox[0].body)
        with connection.cursor() as cursor:
            cursor.execute("SELECT body, subject FROM messaging_message")
            stored = " ".join(cursor.fetchone())
        self.assertNotIn(message.reply_code, stored)
        self.assertTrue(stored.startswith("ns1:"))
        self.assertEqual(outbox.deliver.call(str(message.pk)), "sent")  # a second delivery sends nothing
        self.assertEqual(len(mail.outbox), 1)

    def test_a_failed_delivery_is_tried_again_later_then_marked_failed(self):
        flaky = Flaky(fails=99)
        CHANNELS["flaky"] = flaky
        with override_settings(MESSAGE_CHANNELS=["flaky"]):
            message = self.queue()
            message.refresh_from_db()
            self.assertEqual((message.state, message.attempts), ("queued", 1))
            self.assertEqual(message.error, "flaky: ConnectionRefusedError")
            self.assertEqual(outbox.deliver.call(str(message.pk)), "waiting")  # not before its wait
            for minutes in (1, 4, 14):
                with time_machine.travel(EVENING.replace(minute=minutes, second=1), tick=False):
                    self.assertEqual(outbox.flush_due(), 1)
            message.refresh_from_db()
        self.assertEqual((message.state, message.attempts), ("failed", 4))

    def test_a_channel_down_falls_back_to_the_next(self):
        CHANNELS["flaky"] = Flaky(fails=1, retry=False)
        with override_settings(MESSAGE_CHANNELS=["flaky", "email"]):
            message = self.queue()
        message.refresh_from_db()
        self.assertEqual((message.state, message.channel), ("sent", "email"))

    def test_what_is_not_about_tonight_waits_out_the_quiet_hours(self):
        with time_machine.travel(datetime(2026, 11, 24, 23, 30, tzinfo=BRUSSELS), tick=False):
            message = self.queue(urgent=False)
        message.refresh_from_db()
        self.assertEqual(message.state, "queued")
        self.assertEqual(timezone_local(message.not_before), datetime(2026, 11, 25, 8, 0, tzinfo=BRUSSELS))
        self.assertEqual(len(mail.outbox), 0)
        with time_machine.travel(datetime(2026, 11, 25, 8, 0, 1, tzinfo=BRUSSELS), tick=False):
            outbox.flush_due()
        message.refresh_from_db()
        self.assertEqual(message.state, "sent")

    def test_a_one_tap_answer_is_taken_once_and_opening_the_link_changes_nothing(self):
        message = self.queue(asks=True)
        link = next(line for line in mail.outbox[0].body.splitlines() if "/m/" in line).strip()
        path = link[link.index("/m/"):]
        page = self.client.get(path)
        self.assertContains(page, "Yes")
        self.assertEqual(self.asked, [])
        self.assertEqual(self.client.post(path, {"answer": "no"}).status_code, 200)
        self.assertEqual(self.asked, [("pledge-1", False)])
        self.assertEqual(self.client.post(path, {"answer": "yes"}).status_code, 200)  # shows the answer given
        self.assertEqual(self.asked, [("pledge-1", False)])
        message.refresh_from_db()
        self.assertEqual((message.state, message.answer), ("answered", "no"))
        self.assertEqual(self.client.get("/m/not-a-token/").status_code, 404)

    def test_sms_replies_are_matched_by_code_and_bad_ones_change_nothing(self):
        message = self.queue(asks=True)
        with self.assertLogs("nightstay.messaging.replies", "INFO") as logs:
            self.assertEqual(replies.answer_by_code("hello there", "sms", message.recipient.phone), "unreadable")
            self.assertEqual(replies.answer_by_code("1 0000", "sms", message.recipient.phone), "unknown")
            self.assertEqual(replies.answer_by_code(f"1 {message.reply_code}", "sms", message.recipient.phone), "taken")
            self.assertEqual(replies.answer_by_code(f"2 {message.reply_code}", "sms", message.recipient.phone), "unknown")  # answered already
        self.assertEqual(self.asked, [("pledge-1", True)])
        self.assertFalse(any("hello" in line or message.reply_code in line for line in logs.output))

    def test_an_answer_after_the_night_changes_nothing(self):
        message = self.queue(asks=True)
        with time_machine.travel(datetime(2026, 11, 25, 9, 0, tzinfo=BRUSSELS), tick=False):
            self.assertEqual(replies.answer_by_code(f"1 {message.reply_code}", "sms", message.recipient.phone), "over")
        self.assertEqual(self.asked, [])

    def test_the_purge_deletes_the_messages_and_keeps_their_counts(self):
        self.queue()
        self.queue(asks=True)
        purge_night(self.night)
        self.assertFalse(Message.objects.exists())
        count = MessageCount.objects.get()
        self.assertEqual((count.template, count.channel, count.state, count.n), ("still_on", "email", "sent", 2))
        keep_counts(self.night)  # nothing left to count: nothing added
        self.assertEqual(MessageCount.objects.get().n, 2)


def timezone_local(moment):
    return moment.astimezone(BRUSSELS)
