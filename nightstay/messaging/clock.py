"""The outbox's clock: what must happen at an hour, with no cron in ``make run``.

django-tasks runs work it is handed but has no periodic scheduler, so something must look at
the time: ``manage.py messaging_clock`` calls ``tick`` every 30 s (``make run`` starts it beside
the task worker; production runs ``messaging_clock --once`` from a timer, docs/deploy.md).
A tick runs the hooks the apps above registered with ``every_tick`` (pledges asks "still on
tonight?" when a hub's hour has come), then hands the task queue the messages whose wait is
over (``outbox.flush_due``). Each hook must be safe to run again: a tick may come twice.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from django.utils import timezone

from .outbox import flush_due

log = logging.getLogger(__name__)

HOOKS: dict[str, Callable[[datetime], int]] = {}


def every_tick(name: str):
    """Register ``hook(now) -> how many things it did`` under ``name``, to run at every tick."""
    def register(hook):
        HOOKS[name] = hook
        return hook
    return register


def tick(now: datetime | None = None) -> dict[str, int]:
    """One turn of the clock: every hook, then the messages due. What each did, by name; a hook
    that fails is logged (its exception's class only) and the others still run."""
    now = now or timezone.now()
    done = {}
    for name, hook in HOOKS.items():
        try:
            done[name] = hook(now)
        except Exception as exc:  # one hub's bad row must not stop every other hub's questions
            log.error("clock hook %s failed: %s", name, type(exc).__name__)
            done[name] = -1
    done["flushed"] = flush_due(now)
    return done
