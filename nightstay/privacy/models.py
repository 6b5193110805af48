"""The audit trail of address reveals: who saw which home's address, when; never the address."""
import uuid

from django.conf import settings
from django.db import models

from .labels import label


class AddressReveal(models.Model):
    """One row per exact address shown to anyone (run sheet, host notice, coordinator)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    hub = models.ForeignKey("hubs.Hub", on_delete=models.CASCADE, related_name="+")
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)
    purpose = models.CharField(max_length=40)

    data_labels = {
        "id": label("technical", "audit"),
        "at": label("technical", "audit"),
        "user": label("personal", "audit", "who saw an address: the point of the audit"),
        "hub": label("technical", "audit"),
        "object_type": label("technical", "audit"),
        "object_id": label("technical", "audit", "the home's id, never its address"),
        "purpose": label("technical", "audit"),
    }

    class Meta:
        ordering = ["-at"]
