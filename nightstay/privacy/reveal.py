"""The one door to an exact address: audited, rate-limited by address, forgotten by a panic.

Every call that returns a plaintext address writes exactly one ``AddressReveal`` row, under
the account that sees it (and the device, and whose run-sheet link, when there is one). The
limit counts distinct addresses, not showings: a person or a device that saw
``ADDRESS_REVEALS_PER_MINUTE`` different addresses in the last minute is refused a new one,
while the one they already see shows again (a driver reloading at the kerb keeps it). An
infiltrator cannot harvest the hub's homes; a driver is never locked out of their own stop.

The count is taken before the address is opened, in one atomic step of the store every
worker shares, the cache (Redis, or the database table whose writes lock their row), as
the log-in lock-out counts its attempts (``nightstay.accounts.throttle``). Each person and
each device has ``ADDRESS_REVEALS_PER_MINUTE`` slots; a new address takes a free one with
``cache.add`` (set only if absent: of two reveals at once, one wins each slot), and the slot
frees itself a minute after that address was last shown. No free slot, no address: two
reveals at the same instant can no longer both read "4 seen" and both show a fifth.
A slot holds a keyed hash of the home, not its id, and a panic empties the hub's slots.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from .fields import unseal
from .models import AddressReveal

WINDOW = 60  # seconds: a slot frees itself a minute after its address was last shown


class RevealRefused(Exception):
    """Too many different addresses revealed in the last minute."""


def _keyed(text: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"reveal:{text}".encode(), hashlib.sha256).hexdigest()[:20]


def _slots(who: str) -> list[str]:
    return [f"reveal:{_keyed(who)}:{i}" for i in range(settings.ADDRESS_REVEALS_PER_MINUTE)]


def _holding(held: dict, mark: str) -> str | None:
    return min((name for name, value in held.items() if value == mark), default=None)


def take_slot(who: str, what: str) -> tuple[str | None, bool]:
    """A slot of ``who`` for the address ``what``: (its name, True when newly taken), or (None, False).

    The address ``who`` already sees keeps its slot (and its minute starts again); a new one
    takes a free slot atomically. Two reveals of the same new address at once may both take
    a slot: the one in the higher slot gives it back, the address keeps the lowest (which no
    one gives back), and a reveal that found every slot taken looks once more whether they
    were taken by this same address."""
    names, mark = _slots(who), _keyed(what)
    held = cache.get_many(names)
    if seen := _holding(held, mark):
        cache.touch(seen, WINDOW)
        return seen, False
    for i, name in enumerate(names):
        if name not in held and cache.add(name, mark, timeout=WINDOW):
            if i and (lower := _holding(cache.get_many(names[:i]), mark)):
                cache.delete(name)
                return lower, False
            return name, True
    return _holding(cache.get_many(names), mark), False


def reveal(instance, field_name: str, *, user, hub, purpose: str, device: str = "", link_of=None,
           rate_limited: bool = True) -> str:
    """``instance.field_name`` in clear, for ``user`` (on ``device``, through ``link_of``'s link)."""
    key = (instance._meta.label_lower, str(instance.pk))
    if rate_limited:
        # A slot taken for the person is kept when the phone is refused (and the other way round):
        # the refused try counts for its minute. Giving it back could take the slot from under a
        # reveal of the same address at the same instant, which counted on it.
        for who in ([f"user:{user.pk}"] if user is not None else []) + ([f"device:{device}"] if device else []):
            if take_slot(who, ":".join(key))[0] is None:
                raise RevealRefused("too many addresses revealed in the last minute")
    plain = unseal(instance, field_name)
    AddressReveal.objects.create(user=user, link_of=link_of, device=device, hub=hub, object_type=key[0],
                                 object_id=key[1], purpose=purpose)
    return plain


def forget_homes(hub) -> int:
    """Blank which home every audit row of ``hub`` names (the panic button): the rows still say who
    saw how many addresses, on which device, when; no longer where anyone slept. The limit's slots
    of whoever revealed in the last minute are emptied too (they hold a keyed hash of a home)."""
    recent = AddressReveal.objects.filter(hub=hub, at__gte=timezone.now() - timedelta(seconds=2 * WINDOW))
    slots = set()
    for user_id, device in recent.values_list("user_id", "device").distinct():
        if user_id is not None:
            slots.update(_slots(f"user:{user_id}"))
        if device:
            slots.update(_slots(f"device:{device}"))
    cache.delete_many(sorted(slots))
    return AddressReveal.objects.filter(hub=hub).exclude(object_id="").update(object_id="")
