"""Small budgets for public forms (sign-up, log-in, password reset), kept in Django's cache.

A client is known only by a keyed hash of its address, held in the cache for the length of
the window and never written to the database or the logs: enough to slow down a script
filling the vetting queue or guessing passwords, nothing to tell who visited.
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


def client_key(request) -> str:
    """A short, keyed hash of the client's address: not reversible without SECRET_KEY."""
    address = client_address(request)
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()[:20]


def used(bucket: str, key: str) -> int:
    """How many attempts ``key`` made in ``bucket``'s current window (without counting one)."""
    return cache.get(f"throttle:{bucket}:{key}", 0)


def allow(bucket: str, key: str, limit: int, seconds: int) -> bool:
    """Count one attempt in ``bucket`` for ``key``; False once ``limit`` attempts fell in the window."""
    name = f"throttle:{bucket}:{key}"
    cache.add(name, 0, timeout=seconds)
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=seconds)
        count = 1
    return count <= limit
