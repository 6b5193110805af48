"""Budgets for public forms (sign-up, log-in, password reset), counted in a store every worker shares.

The store is Django's cache: Redis in production, a table in the database otherwise
(``settings.CACHES``), never one worker's memory, where 4 workers would make every limit 4
times looser. Each attempt is counted in one atomic step (Redis ``INCR``; a locked row in
``counting_cache``) *before* the work it guards, and the decision is taken on the count that
step returned: 30 requests sent at once get the counts 1 to 30, so none slips through on a
stale read.

A client is known only by a keyed hash of its address, an account by a keyed hash of the
e-mail typed, held for the length of the window and never written to the logs: enough to
slow down a script filling the vetting queue or guessing passwords, nothing to tell who
visited.
"""
from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache


def client_address(request) -> str:
    """The address that reached us; behind our TLS proxy, the one the proxy saw (its last X-Forwarded-For)."""
    if settings.SECURE_PROXY_SSL_HEADER and request.META.get("HTTP_X_FORWARDED_FOR"):
        return request.META["HTTP_X_FORWARDED_FOR"].split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def keyed(text: str) -> str:
    """A short, keyed hash of ``text``: not reversible, nor linkable to the database's rows, without SECRET_KEY."""
    return hmac.new(settings.SECRET_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()[:20]


def client_key(request) -> str:
    return keyed(client_address(request))


def _name(bucket: str, key: str) -> str:
    return f"throttle:{bucket}:{key}"


def hit(bucket: str, key: str, seconds: int) -> int:
    """Count one attempt by ``key`` in ``bucket`` and return the window's count, this attempt included.

    The window starts with the first attempt and lasts ``seconds``.
    """
    name = _name(bucket, key)
    for _ in range(3):
        if cache.add(name, 1, timeout=seconds):
            return 1
        try:
            count = cache.incr(name)
        except ValueError:  # the window ended between add and incr: open the next one
            continue
        if count == 1:  # Redis re-created a key that expired under incr: give it back its window
            cache.touch(name, seconds)
        return count
    raise RuntimeError(f"could not count an attempt in {bucket}")


def allow(bucket: str, key: str, limit: int, seconds: int) -> bool:
    """Count one attempt; False once ``limit`` attempts fell in the window (this one included)."""
    return hit(bucket, key, seconds) <= limit


def used(bucket: str, key: str) -> int:
    """How many attempts ``key`` made in ``bucket``'s current window (without counting one)."""
    return cache.get(_name(bucket, key), 0)


def refund(bucket: str, key: str) -> None:
    """Take back one attempt counted by ``hit`` (it turned out not to count, e.g. a right password)."""
    try:
        cache.decr(_name(bucket, key))
    except ValueError:  # the window has ended meanwhile
        pass


def extend(bucket: str, key: str, seconds: int) -> None:
    """Let ``key``'s window in ``bucket`` end ``seconds`` from now."""
    cache.touch(_name(bucket, key), seconds)


def forget(bucket: str, key: str) -> None:
    cache.delete(_name(bucket, key))


def take_turn(bucket: str, key: str, seconds: int) -> bool:
    """True for the first caller in any ``seconds``; everyone else is told to wait (one atomic ``add``)."""
    return cache.add(_name(bucket, key), 1, timeout=seconds)
