"""A volunteer's application, waiting in the hub's vetting queue until a coordinator calls."""
import uuid

from django.conf import settings
from django.db import models

from nightstay.privacy.fields import SealedField
from nightstay.privacy.labels import label


class Application(models.Model):
    class Offer(models.TextChoices):
        HOST = "host", "a bed (host)"
        DRIVER = "driver", "a car (driver)"
        BOTH = "both", "both"

    class Status(models.TextChoices):
        PENDING = "pending", "waiting for a call"
        APPROVED = "approved", "approved"
        DECLINED = "declined", "declined"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    hub = models.ForeignKey("hubs.Hub", on_delete=models.CASCADE, related_name="applications")
    first_name = models.CharField(max_length=60)
    phone = SealedField()
    email = SealedField()
    area = models.CharField(max_length=80, help_text="town or district, not a street")
    offer = models.CharField(max_length=6, choices=Offer.choices)
    offer_note = models.CharField(max_length=300, blank=True)
    consent = models.BooleanField(default=False)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    call_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="applications")

    data_labels = {
        "id": label("technical", "application"),
        "hub": label("technical", "application"),
        "first_name": label("personal", "application"),
        "phone": label("sealed", "application"),
        "email": label("sealed", "application"),
        "area": label("personal", "application", "a town, never a street"),
        "offer": label("personal", "application"),
        "offer_note": label("personal", "application"),
        "consent": label("technical", "application"),
        "status": label("technical", "application"),
        "call_note": label("personal", "application"),
        "created_at": label("technical", "application"),
        "decided_at": label("technical", "application"),
        "decided_by": label("personal", "application"),
        "user": label("technical", "application"),
    }

    class Meta:
        ordering = ["created_at"]
