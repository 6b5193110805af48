"""The welcome e-mail leaves through a real SMTP server and its link works."""
import re
import socket
from email import message_from_bytes

from aiosmtpd.controller import Controller
from django.test import override_settings
from django.urls import reverse

from nightstay.accounts.models import User
from nightstay.volunteers.models import Application

from .base import HubTestCase


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


def free_port() -> int:
    """An ephemeral port on 127.0.0.1 (aiosmtpd's Controller cannot take port 0)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpTests(HubTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.inbox = Inbox()
        cls.smtp = Controller(cls.inbox, hostname="127.0.0.1", port=free_port())
        cls.smtp.start()
        cls.addClassCleanup(cls.smtp.stop)

    def test_an_approved_volunteer_receives_a_working_link(self):
        lea = Application.objects.create(hub=self.hub, first_name="Léa", phone="+32 470 12 34 56",
                                         email="lea@example.org", area="Schaerbeek", offer="host", consent=True)
        self.log_in(self.colette)
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
                               EMAIL_PORT=self.smtp.port, EMAIL_USE_TLS=False,
                               SITE_ROOT="https://nightstay.example.org"):
            r = self.client.post(reverse("vetting_decide", args=["brussels", lea.pk]), {"decision": "approve"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(len(self.inbox.messages), 1)
        rcpt, message = self.inbox.messages[0]
        self.assertEqual(rcpt, ["lea@example.org"])
        body = message.get_payload(decode=True).decode(message.get_content_charset())
        self.assertIn("Hello Léa,", body)
        self.assertIn("Brussels - Parc Maximilien", message["Subject"])
        path = re.search(r"https://nightstay\.example\.org(/password/set/\S+)", body).group(1)

        self.client.post(reverse("logout"))
        form_url = self.client.get(path, follow=True).redirect_chain[-1][0]
        self.client.post(form_url, {"new_password1": "a bed in Schaerbeek", "new_password2": "a bed in Schaerbeek"})
        self.assertTrue(User.objects.get_by_email("lea@example.org").check_password("a bed in Schaerbeek"))
