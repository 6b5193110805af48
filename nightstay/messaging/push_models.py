"""A phone that asked for messages by web push: where its browser's push service takes them.

The endpoint (a URL of the phone's push service that stands for this one browser) and the
keys the payload is encrypted with (RFC 8291) are sealed like a phone number: together they
reach one person's phone. ``endpoint_index`` (a blind index, as for e-mails) finds the row
again when the same phone subscribes twice or stops, without storing the URL in the clear.
A subscription the push service says is gone (404, 410) is deleted (``channels.push``).
"""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from nightstay.privacy.crypto import blind_index
from nightstay.privacy.fields import SealedField
from nightstay.privacy.labels import label


class PushSubscription(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = SealedField()
    endpoint_index = models.CharField(max_length=64, unique=True)
    p256dh = SealedField()  # the browser's public key (base64url), the payload is encrypted to it
    auth = SealedField()  # the browser's auth secret (base64url)
    created_at = models.DateTimeField(default=timezone.now)
    last_ok_at = models.DateTimeField(null=True, blank=True)  # the push service last took a message

    data_labels = {
        "id": label("technical", "account"),
        "user": label("personal", "account", "whose phone it is"),
        "endpoint": label("sealed", "account", "reaches one phone: sealed like a phone number"),
        "endpoint_index": label("technical", "account", "a keyed hash of the endpoint, to find it again"),
        "p256dh": label("sealed", "account"),
        "auth": label("sealed", "account"),
        "created_at": label("technical", "account"),
        "last_ok_at": label("technical", "account"),
    }

    def __str__(self):
        return f"push subscription of {self.user_id}"

    @staticmethod
    def index(endpoint: str) -> str:
        return blind_index(endpoint)

    @classmethod
    def keep(cls, user, endpoint: str, p256dh: str, auth: str) -> "PushSubscription":
        """Store the phone's subscription for ``user``: a phone subscribing again (or handed to
        another volunteer) replaces its row, never adds one."""
        index = cls.index(endpoint)
        cls.objects.filter(endpoint_index=index).delete()
        return cls.objects.create(user=user, endpoint=endpoint, endpoint_index=index, p256dh=p256dh, auth=auth)

    def info(self) -> dict:
        """The subscription as the browser gave it (``PushSubscription.toJSON()``), for pywebpush."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}
