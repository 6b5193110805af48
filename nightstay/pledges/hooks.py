"""What the apps above pledges do when a volunteer takes nights back.

A bed pledge cancelled for one night (``Recurring.call_off``: the host's own "cancel", or a
no to "still on tonight?") or withdrawn may leave a stay (planning) counting on a bed that is
no longer offered. Pledges sits below planning in the order of the night and cannot import
it, so planning registers here, in its ``AppConfig.ready()``, what it does then
(``planning.stay_cuts``).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

NIGHTS_TAKEN_BACK: list[Callable] = []


def on_nights_taken_back(hook: Callable) -> None:
    """``hook(pledge, since) -> int`` runs after ``pledge`` stopped offering a night from ``since``
    on (one night cancelled, or every night withdrawn); it returns how many things it changed."""
    if hook not in NIGHTS_TAKEN_BACK:
        NIGHTS_TAKEN_BACK.append(hook)


def nights_taken_back(pledge, since: date) -> int:
    return sum(hook(pledge, since) for hook in NIGHTS_TAKEN_BACK)
