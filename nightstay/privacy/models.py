"""The audit trail of address reveals: who saw an address, on which device, through whose
run-sheet link, when; which home only until a panic; never the address."""
import uuid

from django.conf import settings
from django.db import models

from .labels import label


class AddressReveal(models.Model):
    """One row per exact address shown to anyone (run sheet, host notice, coordinator).

    ``user`` is the account that saw it: the logged-in person at the screen, or, on a run
    sheet opened without logging in, the driver whose link it is. ``object_id`` names the home
    until a panic blanks it (``forget_homes``): after a raid the audit still says who saw how
    many addresses and when, but no longer which homes sheltered anyone.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    link_of = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    device = models.CharField(max_length=16, blank=True, default="")
    hub = models.ForeignKey("hubs.Hub", on_delete=models.CASCADE, related_name="+")
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64, blank=True)
    purpose = models.CharField(max_length=40)

    data_labels = {
        "id": label("technical", "audit"),
        "at": label("technical", "audit"),
        "user": label("personal", "audit", "who saw an address: the point of the audit"),
        "link_of": label("personal", "audit", "whose run-sheet link showed it, when that is not the viewer's"),
        "device": label("technical", "audit", "which phone: a short hash of the run sheet's device secret"),
        "hub": label("technical", "audit"),
        "object_type": label("technical", "audit"),
        "object_id": label("technical", "audit", "the home's id, never its address; blanked by a panic"),
        "purpose": label("technical", "audit"),
    }

    class Meta:
        ordering = ["-at"]
