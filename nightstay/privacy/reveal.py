"""The one door to an exact address: audited, rate-limited.

Every call that returns a plaintext address writes exactly one ``AddressReveal`` row. A
coordinator (or anyone) revealing more than ``ADDRESS_REVEALS_PER_MINUTE`` addresses in a
minute is refused: an infiltrator cannot harvest the hub's homes.
"""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .fields import unseal
from .models import AddressReveal


class RevealRefused(Exception):
    """Too many addresses revealed in the last minute."""


def reveal(instance, field_name: str, *, user, hub, purpose: str, rate_limited: bool = True) -> str:
    if rate_limited and user is not None:
        since = timezone.now() - timedelta(minutes=1)
        recent = AddressReveal.objects.filter(user=user, at__gte=since).count()
        if recent >= settings.ADDRESS_REVEALS_PER_MINUTE:
            raise RevealRefused("too many addresses revealed in the last minute")
    plain = unseal(instance, field_name)
    AddressReveal.objects.create(
        user=user, hub=hub, object_type=instance._meta.label_lower, object_id=str(instance.pk), purpose=purpose
    )
    return plain
