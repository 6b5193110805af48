"""SMS through the network's gateway phone, against a local server speaking its HTTP API.

Only urgent messages, only to a checked number, only under the hub's daily cap; the gateway's
own id is our message's id; how far an SMS went is asked of the gateway, and a failed one
goes again by the next channel.
"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path
from unittest import skipUnless
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import SimpleTestCase, TransactionTestCase, override_settings
from django.utils import timezone

from nightstay.hubs.models import Hub, Night
from nightstay.messaging import outbox, replies
from nightstay.messaging.channels import sms
from nightstay.messaging.checks import check_sms
from nightstay.messaging.models import Contact, Message, SmsDay, SmsReceipt
from tests.messaging.sms_gateway import LOGIN, PASSWORD, Gateway
from tests.web.base import HubTestCase

BRUSSELS = ZoneInfo("Europe/Brussels")
EVENING = datetime(2026, 11, 24, 17, 0, tzinfo=BRUSSELS)
TEMPLATE = "sms_test_question"  # tests/messaging/templates: a question of this test's own
TEST_TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], Path(__file__).parent / "templates"]}]


class SmsTestCase(HubTestCase):
    """Hugo checked his number and prefers SMS; Dara never checked hers. The gateway runs locally."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gateway = cls.enterClassContext(Gateway())

    def setUp(self):
        self.enterContext(time_machine.travel(EVENING, tick=False))
        self.enterContext(override_settings(
            TEMPLATES=TEST_TEMPLATES, MESSAGE_CHANNELS=["sms", "email"], SMS_DAILY_CAP=10,
            SMS_GATEWAY_URL=self.gateway.url, SMS_GATEWAY_LOGIN=LOGIN, SMS_GATEWAY_PASSWORD=PASSWORD,
            SMS_WEBHOOK_SECRET="webhook-signing-key"))
        self.gateway.sent.clear()
        self.gateway.states.clear()
        self.gateway.down = False
        self.night = Night.for_date(self.hub, self.today)
        self.hugo.phone = "+32470112233"
        self.hugo.save()
        Contact.objects.create(user=self.hugo, prefers="sms", phone_verified_at=timezone.now(),
                               phone_checked=sms.phone_key(self.hugo.phone))
        self.answers = []
        replies.on_answer(TEMPLATE)(lambda message, yes: self.answers.append((message.about, yes)))
        self.addCleanup(replies.HANDLERS.pop, TEMPLATE, None)

    def queue(self, user=None, **kw):
        with self.captureOnCommitCallbacks(execute=True):
            message = outbox.queue(user or self.hugo, self.night, TEMPLATE, about="pledge-7", asks=True, **kw)
        message.refresh_from_db()
        return message


class SendTests(SmsTestCase):
    def test_an_urgent_question_goes_by_sms_with_our_id_and_its_reply_code(self):
        message = self.queue()
        self.assertEqual((message.state, message.channel), ("sent", "sms"))
        [sent] = self.gateway.sent
        self.assertEqual(sent["phoneNumbers"], ["+32470112233"])
        self.assertEqual(sent["id"], str(message.pk))
        self.assertTrue(sent["withDeliveryReport"])
        self.assertIn(f"code {message.reply_code}", sent["textMessage"]["text"])
        self.assertEqual(mail.outbox, [])
        self.assertEqual(SmsReceipt.objects.get(message=message).state, "pending")
        self.assertEqual(sms.sent_today(self.hub.pk), 1)

    def test_what_is_not_urgent_or_to_an_unchecked_number_goes_by_e_mail(self):
        self.assertEqual(self.queue(urgent=False).channel, "email")
        self.assertEqual(self.queue(user=self.dara).channel, "email")  # never checked her number
        self.hugo.phone = "+32470999999"  # a new number: not the one that got the code
        self.hugo.save()
        self.assertEqual(self.queue().channel, "email")
        self.assertEqual(self.gateway.sent, [])
        self.assertEqual(sms.sent_today(self.hub.pk), 0)

    def test_the_daily_cap_sends_the_next_urgent_message_by_e_mail(self):
        with override_settings(SMS_DAILY_CAP=2):
            channels = [self.queue().channel for _ in range(3)]
            self.assertEqual(channels, ["sms", "sms", "email"])
            self.assertFalse(sms.take_slot(self.hub.pk))  # a second worker at the last slot gets none
        self.assertEqual(len(self.gateway.sent), 2)
        self.assertEqual(SmsDay.objects.get(hub=self.hub).n, 2)
        self.assertEqual(sms.sent_today(self.other_hub.pk), 0)  # the cap is the hub's
        with time_machine.travel(EVENING + timedelta(days=1), tick=False), override_settings(SMS_DAILY_CAP=2):
            self.assertEqual(sms.sent_today(self.hub.pk), 0)  # a new day, a new count

    def test_a_gateway_that_is_down_is_tried_again_and_the_slot_is_given_back(self):
        self.gateway.down = True
        with override_settings(MESSAGE_CHANNELS=["sms"]):
            message = self.queue()
            self.assertEqual((message.state, message.error), ("queued", "sms: gateway 503"))
            self.assertEqual(sms.sent_today(self.hub.pk), 0)
            self.gateway.down = False
            with time_machine.travel(EVENING + timedelta(minutes=1, seconds=1), tick=False):
                self.assertEqual(outbox.flush_due(), 1)
        message.refresh_from_db()
        self.assertEqual((message.state, message.channel, message.attempts), ("sent", "sms", 2))
        self.assertEqual(len(self.gateway.sent), 1)

    def test_a_gateway_refusing_our_password_falls_back_to_e_mail(self):
        with override_settings(SMS_GATEWAY_PASSWORD="wrong"):
            message = self.queue()
        self.assertEqual((message.state, message.channel), ("sent", "email"))
        self.assertGreater(self.gateway.refused_auth, 0)
        self.assertEqual(sms.sent_today(self.hub.pk), 0)

    def test_an_sms_the_gateway_has_already_is_not_sent_twice(self):
        message = self.queue()
        self.assertEqual(sms.send_text(self.hugo.phone, "again", str(message.pk)), "pending")  # 409: it has it
        self.assertEqual(len(self.gateway.sent), 1)

    def test_without_a_gateway_an_sms_is_written_to_a_file(self):
        folder = Path(self.enterContext(__import__("tempfile").TemporaryDirectory()))
        with override_settings(SMS_GATEWAY_URL="", SMS_FILE_PATH=folder):
            message = self.queue()
        self.assertEqual((message.state, message.channel), ("sent", "sms"))
        [written] = folder.iterdir()
        text = written.read_text()
        self.assertTrue(text.startswith("To: +32470112233\n"))
        self.assertIn(f"code {message.reply_code}", text)


class StatusTests(SmsTestCase):
    def test_the_gateway_is_asked_how_far_an_sms_went(self):
        message = self.queue()
        self.assertEqual(sms.poll(), 0)  # still pending on the phone
        self.gateway.states[str(message.pk)] = "Delivered"
        call_command("sms_status", stdout=open("/dev/null", "w"))
        self.assertEqual(SmsReceipt.objects.get(message=message).state, "delivered")
        message.refresh_from_db()
        self.assertEqual((message.state, message.channel), ("sent", "sms"))

    def test_an_sms_the_gateway_failed_goes_again_by_the_next_channel(self):
        message = self.queue()
        self.gateway.states[str(message.pk)] = "Failed"
        self.assertEqual(sms.poll(), 1)
        message.refresh_from_db()
        self.assertEqual((message.state, message.channel, message.attempts), ("sent", "email", 2))
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(len(self.gateway.sent), 1)  # not by SMS again
        self.assertEqual(SmsReceipt.objects.get(message=message).state, "failed")

    def test_a_failed_sms_with_no_other_channel_marks_the_message_failed(self):
        with override_settings(MESSAGE_CHANNELS=["sms"]):
            message = self.queue()
            self.assertEqual(sms.record_state(str(message.pk), "failed"), "retried")
        message.refresh_from_db()
        self.assertEqual((message.state, message.error), ("failed", "no channel reaches them"))

    def test_a_state_for_an_unknown_or_answered_sms_changes_nothing(self):
        self.assertEqual(sms.record_state("not-ours", "failed"), "unknown")
        message = self.queue()
        replies.answer_by_code(f"1 {message.reply_code}", "sms", self.hugo.phone)
        self.assertEqual(sms.record_state(str(message.pk), "failed"), "stale")
        message.refresh_from_db()
        self.assertEqual(message.state, Message.State.ANSWERED)

    def test_the_purge_deletes_the_receipts_and_keeps_the_day_count(self):
        from nightstay.privacy.retention import purge_night

        self.queue()
        purge_night(self.night)
        self.assertFalse(SmsReceipt.objects.exists())
        self.assertEqual(SmsDay.objects.get(hub=self.hub).n, 1)


class SetUpCheckTests(SimpleTestCase):
    def problems(self, **kw):
        with override_settings(ALLOWED_HOSTS=["nightstay.example.org"], MESSAGE_CHANNELS=["sms", "email"], **kw):
            return sorted(problem.id for problem in check_sms(None))

    def test_a_public_host_refuses_sms_written_to_files_and_warns_without_a_signing_key(self):
        self.assertEqual(self.problems(SMS_GATEWAY_URL="", SMS_WEBHOOK_SECRET=""), ["nightstay.E010", "nightstay.W010"])
        self.assertEqual(self.problems(SMS_GATEWAY_URL="http://192.168.1.20:8080", SMS_WEBHOOK_SECRET="k"), [])
        with override_settings(ALLOWED_HOSTS=["127.0.0.1"], MESSAGE_CHANNELS=["sms"], SMS_GATEWAY_URL=""):
            self.assertEqual(check_sms(None), [])  # a laptop


@skipUnless(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL): concurrent transactions")
class CapRaceTests(TransactionTestCase):
    def test_two_workers_at_the_last_slot_take_it_once(self):
        hub = Hub.objects.create(name="Race", slug="race", meeting_point="here", meeting_lat=50.8, meeting_lon=4.3)
        SmsDay.objects.create(hub=hub, day=timezone.localdate(), n=4)
        barrier, taken = threading.Barrier(8), []

        def worker():
            try:
                barrier.wait()
                taken.append(sms.take_slot(hub.pk))
            finally:
                connection.close()  # this thread's own connection

        with override_settings(SMS_DAILY_CAP=5):
            threads = [threading.Thread(target=worker) for _ in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        self.assertEqual(sorted(taken), [False] * 7 + [True])
        self.assertEqual(SmsDay.objects.get(hub=hub).n, 5)
