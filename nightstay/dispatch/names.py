"""Drivers told apart: two Ursulas on one night must not read as one.

A first name alone is what the board, a host notice and a message say of a driver; when two
drivers of the night share it, each gets the last two digits of their phone number after it
("Ursula ·42"). A coordinator at the park asks "which Ursula, what does your number end
with?", a host matches it against the number on their notice, the driver knows it without
being told; nobody learns anything new from two digits of a number the host notice and the
coordinators already show. When the digits are missing or clash too, a number by seniority
("Ursula (2)") is the fallback: stable through the night, it says nothing about the person.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable


def told_apart(users: Iterable) -> dict:
    """``user.pk -> name`` for ``users``: the first name, with a short suffix where it is shared."""
    users = {u.pk: u for u in users}
    by_name = defaultdict(list)
    for u in users.values():
        by_name[u.first_name.strip().casefold()].append(u)
    names = {}
    for same in by_name.values():
        if len(same) == 1:
            names[same[0].pk] = same[0].first_name
            continue
        same.sort(key=lambda u: (u.date_joined, str(u.pk)))
        digits = [_last_digits(u.phone) for u in same]
        unique = all(digits) and len(set(digits)) == len(digits)
        for n, (u, d) in enumerate(zip(same, digits), 1):
            names[u.pk] = f"{u.first_name} ·{d}" if unique else f"{u.first_name} ({n})"
    return names


def _last_digits(phone: str | None) -> str:
    digits = [c for c in (phone or "") if c.isdigit()]
    return "".join(digits[-2:]) if len(digits) >= 6 else ""
