"""E-mail through Django's mail (SMTP in production, files under var/mail/ on a laptop).

The cheapest to run but the slowest to be read: fine for what is not urgent, the last resort
for the rest. Reaches every volunteer with an e-mail address.
"""
from __future__ import annotations

from smtplib import SMTPException

from django.core.mail import send_mail

from . import DeliveryError, register


class EmailChannel:
    name = "email"

    def reaches(self, message) -> bool:
        return bool(message.recipient.email)

    def deliver(self, message, subject: str, body: str) -> None:
        try:
            send_mail(subject, body, None, [message.recipient.email])
        except (SMTPException, OSError) as exc:  # the server down or refusing: try again later
            raise DeliveryError(type(exc).__name__) from None


register(EmailChannel())
