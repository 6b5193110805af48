"""The outbox: one row a message, sealed; a volunteer's way to be reached; the counts kept."""
from __future__ import annotations

import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from nightstay.privacy.fields import SealedField
from nightstay.privacy.labels import label


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Message(models.Model):
    """One message to one volunteer. ``body`` is rendered in their language when queued."""

    class State(models.TextChoices):
        QUEUED = "queued"
        SENT = "sent"
        FAILED = "failed"
        ANSWERED = "answered"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    hub = models.ForeignKey("hubs.Hub", on_delete=models.CASCADE, related_name="outbox")
    night = models.ForeignKey("hubs.Night", on_delete=models.CASCADE, related_name="outbox")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outbox")
    template = models.CharField(max_length=40)  # what it is about ("still_on", "run_sheet", ...): never its text
    about = models.CharField(max_length=64, blank=True)  # the row it asks about (a pledge's id), for its answer
    urgent = models.BooleanField(default=True)  # about tonight: may go by SMS, ignores quiet hours
    subject = SealedField()
    body = SealedField()
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    channel = models.CharField(max_length=8, blank=True)  # the one that carried it
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=80, blank=True)  # a class name or status, never a body
    reply_code = models.CharField(max_length=8, blank=True, db_index=True)  # "1 = yes, 2 = no, code 4821"
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)  # the one-tap answer link
    answer = models.CharField(max_length=3, blank=True)  # "yes" or "no"
    created_at = models.DateTimeField(default=timezone.now)
    not_before = models.DateTimeField(null=True, blank=True)  # quiet hours or a retry's wait
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)  # the recipient opened its link
    answered_at = models.DateTimeField(null=True, blank=True)

    data_labels = {
        **{name: label("technical", "night") for name in (
            "id", "hub", "night", "template", "about", "urgent", "state", "channel", "attempts", "error",
            "reply_code", "token_hash", "answer", "created_at", "not_before", "sent_at", "opened_at", "answered_at")},
        "subject": label("sealed", "night"),
        "body": label("sealed", "night", "a few words and a link: never an address, nickname or ticket list"),
        "recipient": label("personal", "night", "who was told something tonight"),
    }

    class Meta:
        indexes = [models.Index(fields=["hub", "state"]), models.Index(fields=["night", "template"])]

    def __str__(self):
        return f"{self.template} → {self.recipient_id} ({self.state})"

    def question(self) -> str:
        """What the one-tap page shows above its yes and no: the body up to the answer link,
        without the line that leads to it ("Answer with one tap:"), so a volunteer who opens
        the link sees what they are asked and by when, in the words of their message."""
        lines = []
        for line in self.body.splitlines():
            if "://" in line:
                if lines and lines[-1].rstrip().endswith(":"):
                    lines.pop()
                break
            lines.append(line)
        return "\n".join(lines).strip()

    def new_token(self) -> str:
        token = secrets.token_urlsafe(18)
        self.token_hash = token_hash(token)
        return token


class Contact(models.Model):
    """How a volunteer wants to be reached: a channel they prefer, and a phone checked to be theirs."""

    class Channel(models.TextChoices):
        PUSH = "push", "push"
        SMS = "sms", "SMS"
        EMAIL = "email", "e-mail"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE,
                                related_name="contact")
    prefers = models.CharField(max_length=8, choices=Channel.choices, default=Channel.PUSH)
    phone_verified_at = models.DateTimeField(null=True, blank=True)  # SMS goes only to a checked number
    # A keyed hash of the number that was checked: a phone changed since is not checked any more.
    phone_checked = models.CharField(max_length=64, blank=True)

    data_labels = {"user": label("technical", "account"), "prefers": label("personal", "account"),
                   "phone_verified_at": label("personal", "account"),
                   "phone_checked": label("technical", "account", "a keyed hash, not the number")}


class MessageCount(models.Model):
    """What outlives a night's messages: how many, of which kind, by which channel, how they ended."""

    hub = models.ForeignKey("hubs.Hub", on_delete=models.CASCADE, related_name="message_counts")
    day = models.DateField()
    template = models.CharField(max_length=40)
    channel = models.CharField(max_length=8, blank=True)
    state = models.CharField(max_length=8)
    n = models.PositiveIntegerField(default=0)

    data_labels = {name: label("operational", "counts") for name in ("id", "hub", "day", "template", "channel", "state", "n")}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hub", "day", "template", "channel", "state"],
                                               name="one_message_count")]


class SmsDay(models.Model):
    """How many SMS a hub sent on one day: its daily cap is counted here, in one row a hub and day."""

    hub = models.ForeignKey("hubs.Hub", on_delete=models.CASCADE, related_name="sms_days")
    day = models.DateField()
    n = models.PositiveIntegerField(default=0)

    data_labels = {name: label("operational", "counts") for name in ("id", "hub", "day", "n")}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hub", "day"], name="one_sms_day")]


class SmsReceipt(models.Model):
    """What the SMS gateway says of one message it took: its id there, and how far it went."""

    class State(models.TextChoices):
        PENDING = "pending"  # on the gateway phone, not yet out
        SENT = "sent"  # left the phone
        DELIVERED = "delivered"  # the recipient's phone confirmed it
        FAILED = "failed"  # the phone could not send it: the outbox tries the next channel

    # A foreign key (one receipt a message, by the constraint below), so the purge finds its night.
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="sms_receipts")
    gateway_id = models.CharField(max_length=64, unique=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    updated_at = models.DateTimeField(default=timezone.now)

    data_labels = {name: label("technical", "night") for name in ("id", "message", "gateway_id", "state", "updated_at")}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message"], name="one_sms_receipt")]


from .push_models import PushSubscription  # noqa: E402,F401  (a phone reached by web push)
