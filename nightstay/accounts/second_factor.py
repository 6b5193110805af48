"""Who must pass the second factor right after the password.

Accounts knows people, not hubs: whoever holds a staff role in a hub is hubs' word, so hubs
adds that rule here in its ``AppConfig.ready()`` (``hub_role_required`` asks again on every
staff page, so a rule missing here could only send someone to the code page later).
"""
from __future__ import annotations

from collections.abc import Callable

_rules: list[Callable] = []


def require_when(rule: Callable) -> None:
    """``rule(user) -> bool``: this user must pass the second factor after logging in."""
    if rule not in _rules:
        _rules.append(rule)


def required(user) -> bool:
    return any(rule(user) for rule in _rules)
