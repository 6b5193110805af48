"""A message of the outbox through a real SMTP server (aiosmtpd on a local port), by Django's
SMTP backend as in production: it arrives once; a server that refuses for now, or is down,
leaves the message queued for a later try, never lost."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from aiosmtpd.controller import Controller
from django.test import override_settings

from nightstay.hubs.models import Night
from nightstay.messaging import outbox
from nightstay.messaging.models import Message
from tests.web.base import HubTestCase
from tests.web.test_mail_smtp import free_port

BRUSSELS = ZoneInfo("Europe/Brussels")
EVENING = datetime(2026, 11, 24, 17, 0, tzinfo=BRUSSELS)


class Server:
    """An aiosmtpd handler that keeps what it accepts, or refuses for now (451) while ``busy``."""

    def __init__(self):
        self.received: list[tuple[list[str], bytes]] = []
        self.busy = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.busy:
            return "451 4.3.2 Please try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


class OutboxBySmtpTests(HubTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = Server()
        cls.smtp = Controller(cls.server, hostname="127.0.0.1", port=free_port())
        cls.smtp.start()
        cls.addClassCleanup(cls.smtp.stop)

    def setUp(self):
        self.server.received.clear()
        self.server.busy = False
        self.enterContext(time_machine.travel(EVENING, tick=False))
        self.enterContext(override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=self.smtp.port, EMAIL_USE_TLS=False, EMAIL_TIMEOUT=5, MESSAGE_CHANNELS=["email"]))
        self.night = Night.for_date(self.hub, self.today)

    def ask_hugo(self) -> Message:
        with self.captureOnCommitCallbacks(execute=True):
            message = outbox.queue(self.hugo, self.night, "still_on", {"beds": 2, "due": EVENING + timedelta(hours=1)},
                                   about="pledge-1", asks=True)
        message.refresh_from_db()
        return message

    def arrived(self) -> list[str]:
        return [content.decode() for _rcpt, content in self.server.received]

    def later(self, minutes: int) -> int:
        with time_machine.travel(EVENING + timedelta(minutes=minutes, seconds=1), tick=False), \
                self.captureOnCommitCallbacks(execute=True):
            return outbox.flush_due()

    def test_the_still_on_question_arrives_once_by_smtp_with_its_code(self):
        message = self.ask_hugo()
        self.assertEqual((message.state, message.channel, message.attempts), ("sent", "email", 1))
        [(rcpt, _content)] = self.server.received
        self.assertEqual(rcpt, ["hugo@example.org"])
        self.assertIn(f"code {message.reply_code}", self.arrived()[0])
        self.assertEqual(outbox.deliver.call(str(message.pk)), "sent")  # delivered again: nothing leaves
        self.assertEqual(self.later(30), 0)
        self.assertEqual(len(self.server.received), 1)

    def test_a_server_refusing_for_now_leaves_it_queued_then_it_goes_once(self):
        self.server.busy = True
        message = self.ask_hugo()
        self.assertEqual((message.state, message.attempts), ("queued", 1))
        self.assertEqual(message.not_before, EVENING + outbox.RETRY_WAITS[0])
        self.assertTrue(message.error.startswith("email: SMTP"), message.error)
        self.assertEqual(self.server.received, [])
        self.server.busy = False
        self.assertEqual(self.later(2), 1)
        message.refresh_from_db()
        self.assertEqual((message.state, message.channel, message.attempts), ("sent", "email", 2))
        self.assertEqual(len(self.server.received), 1)
        self.assertIn(f"code {message.reply_code}", self.arrived()[0])

    def test_a_server_down_leaves_it_queued_then_it_goes_once(self):
        with override_settings(EMAIL_PORT=free_port()):  # nobody listens there
            message = self.ask_hugo()
        self.assertEqual((message.state, message.attempts), ("queued", 1))
        self.assertEqual(message.not_before, EVENING + outbox.RETRY_WAITS[0])
        self.assertEqual(message.error, "email: ConnectionRefusedError")
        self.assertEqual(self.later(2), 1)  # the server is back
        message.refresh_from_db()
        self.assertEqual((message.state, message.channel), ("sent", "email"))
        self.assertEqual(len(self.server.received), 1)
