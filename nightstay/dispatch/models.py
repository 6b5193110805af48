"""What dispatch adds to tonight's plan: drivers' run-sheet links and who came to the park.

All of it is night-scoped: purged 12 hours after the night's window ends.
"""
from __future__ import annotations

import base64
import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from nightstay.privacy.labels import label
from nightstay.privacy.night_fields import NightSealedJSONField


class RunSheetGrant(models.Model):
    """A driver's revocable link to tonight's run sheet; only hashes of its secrets are stored.

    The link reaches its driver alone: on their own logged-in page, or as a QR code that a
    coordinator may show once at the park (``shown_at``); the board never shows it. It opens
    on one phone only: the first device that opens it gets a random secret in a cookie, and
    its hash is kept here (``device_hash``); any other device is refused. A driver with a new
    phone needs a new link, which revokes this one.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    night = models.ForeignKey("hubs.Night", on_delete=models.CASCADE, related_name="run_sheet_grants")
    driver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    device_hash = models.CharField(max_length=64, blank=True, default="")
    opened_at = models.DateTimeField(null=True, blank=True)
    shown_at = models.DateTimeField(null=True, blank=True)
    shown_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    seen = NightSealedJSONField(null=True, blank=True, forgettable=True)  # sealed under the night's key

    data_labels = {
        "id": label("technical", "night"),
        "night": label("technical", "night"),
        "driver": label("personal", "night"),
        "token_hash": label("technical", "night", "SHA-256 of the link's secret"),
        "expires_at": label("technical", "night"),
        "revoked_at": label("technical", "night"),
        "device_hash": label("technical", "night", "SHA-256 of the secret of the one phone the link opens on"),
        "opened_at": label("technical", "night", "when that phone first opened the link"),
        "shown_at": label("technical", "night", "when a coordinator showed the link's QR code (once)"),
        "shown_by": label("personal", "night", "the coordinator who showed it"),
        "seen": label("operational", "night", "the sheet as its phone last showed it (areas, times, codes; "
                                              "no address), to say what changed; sealed under the night's key"),
    }

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, night, driver) -> tuple["RunSheetGrant", str]:
        grant = cls(night=night, driver=driver, expires_at=night.end)
        token = grant.token()
        grant.token_hash = cls.hash(token)
        grant.save()
        return grant, token

    def token(self) -> str:
        """The link's secret, derived from the grant's id with the site's secret key.

        Deriving it lets the driver's own page show the link again without storing it: a copy
        of the database alone opens no run sheet. Only the driver's page and the one QR code
        call this; no coordinator page does.
        """
        return self.token_for(self.id)

    @staticmethod
    def token_for(grant_id) -> str:
        """``<grant id>.<MAC>``: the id lets a deleted grant's link answer 410 (gone), not 404."""
        digest = salted_hmac("nightstay.dispatch.run-sheet", str(grant_id), algorithm="sha256").digest()
        return f"{uuid.UUID(str(grant_id)).hex}.{base64.urlsafe_b64encode(digest).decode().rstrip('=')}"

    @classmethod
    def was_issued(cls, token: str) -> bool:
        """True when ``token`` is a link this site made, even if its grant is gone (purge, panic)."""
        grant_id, _, _ = token.partition(".")
        try:
            return constant_time_compare(cls.token_for(uuid.UUID(hex=grant_id)), token)
        except ValueError:
            return False

    def is_live(self) -> bool:
        return self.revoked_at is None and timezone.now() < self.expires_at

    def bind(self, device_secret: str) -> bool:
        """Bind the link to the device holding ``device_secret`` if no device holds it yet, in one
        conditional update (two phones opening at once: one wins). True when that device holds it."""
        digest = self.hash(device_secret)
        if not self.device_hash:
            now = timezone.now()
            if RunSheetGrant.objects.filter(pk=self.pk, device_hash="").update(device_hash=digest, opened_at=now):
                self.device_hash, self.opened_at = digest, now
                return True
            self.refresh_from_db(fields=["device_hash", "opened_at"])
        return constant_time_compare(self.device_hash, digest)

    def show_once(self, coordinator) -> bool:
        """Mark the link's QR code shown by ``coordinator``: True the first time only, and never for a
        link already open on a phone (showing it again means a new link)."""
        return bool(RunSheetGrant.objects.filter(pk=self.pk, shown_at__isnull=True, device_hash="",
                                                 revoked_at__isnull=True)
                    .update(shown_at=timezone.now(), shown_by=coordinator))

    def state(self) -> str:
        """What the board says of the link: never the link itself."""
        if not self.is_live():
            return "revoked"
        return "opened" if self.device_hash else "not opened"


class ParkArrival(models.Model):
    """A driver or a self-pickup host who has come to the meeting point tonight (one tap)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    night = models.ForeignKey("hubs.Night", on_delete=models.CASCADE, related_name="park_arrivals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    data_labels = {
        "id": label("technical", "night"),
        "night": label("technical", "night"),
        "user": label("personal", "night", "who is at the park tonight: deleted with the night"),
        "at": label("operational", "night"),
    }

    class Meta:
        constraints = [models.UniqueConstraint(fields=["night", "user"], name="one_park_arrival")]
