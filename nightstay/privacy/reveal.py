"""The one door to an exact address: audited, rate-limited by address, forgotten by a panic.

Every call that returns a plaintext address writes exactly one ``AddressReveal`` row, under
the account that sees it (and the device, and whose run-sheet link, when there is one). The
limit counts distinct addresses, not showings: a person or a device that saw
``ADDRESS_REVEALS_PER_MINUTE`` different addresses in the last minute is refused a new one,
while the one they already see shows again (a driver reloading at the kerb keeps it). An
infiltrator cannot harvest the hub's homes; a driver is never locked out of their own stop.
"""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .fields import unseal
from .models import AddressReveal


class RevealRefused(Exception):
    """Too many different addresses revealed in the last minute."""


def _over_limit(who: Q, key: tuple[str, str], since) -> bool:
    seen = set(AddressReveal.objects.filter(who, at__gte=since).values_list("object_type", "object_id").distinct())
    return key not in seen and len(seen) >= settings.ADDRESS_REVEALS_PER_MINUTE


def reveal(instance, field_name: str, *, user, hub, purpose: str, device: str = "", link_of=None,
           rate_limited: bool = True) -> str:
    """``instance.field_name`` in clear, for ``user`` (on ``device``, through ``link_of``'s link)."""
    key = (instance._meta.label_lower, str(instance.pk))
    if rate_limited:
        since = timezone.now() - timedelta(minutes=1)
        limits = ([Q(user=user)] if user is not None else []) + ([Q(device=device)] if device else [])
        if any(_over_limit(who, key, since) for who in limits):
            raise RevealRefused("too many addresses revealed in the last minute")
    plain = unseal(instance, field_name)
    AddressReveal.objects.create(user=user, link_of=link_of, device=device, hub=hub, object_type=key[0],
                                 object_id=key[1], purpose=purpose)
    return plain


def forget_homes(hub) -> int:
    """Blank which home every audit row of ``hub`` names (the panic button): the rows still say who
    saw how many addresses, on which device, when; no longer where anyone slept."""
    return AddressReveal.objects.filter(hub=hub).exclude(object_id="").update(object_id="")
