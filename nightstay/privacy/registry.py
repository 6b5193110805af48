"""What the apps above hand privacy to purge, filled in each app's ``AppConfig.ready()``.

Privacy is the lowest layer: it imports no other app of nightstay, so the apps that hold
what it purges say so here, where a reader of ``retention`` finds every one of them:

- hubs registers its ``Night``: night-scoped rows are found through their foreign keys to
  it, and a night is purged when its ``end`` is 12 hours past;
- figures asks to count a night before its rows go (the anonymous counts outlive the rows);
- volunteers registers its applications, blanked 30 days after their decision (and deleted
  when still undecided after ``PENDING_APPLICATION_DAYS``);
- planning registers its stays (``Retention.STAY``): deleted once their last night is over,
  and with a hub's nights in a panic;
- messaging registers what reaches a member's phone (web push subscriptions): a panic forgets
  it for every member of the hub, as it ends their sessions (``on_panic``).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models


@dataclass(frozen=True)
class Decided:
    """A model whose personal fields are blanked ``APPLICATION_DAYS`` after a decision."""

    model: type[models.Model]
    decided: models.Q  # the rows whose decision is taken (still open ones keep their fields)
    clock: str  # the field that says when it was taken
    pending: models.Q | None = None  # rows still waiting for a decision: deleted after PENDING_APPLICATION_DAYS
    pending_clock: str = "created_at"  # the field that says since when they wait


@dataclass(frozen=True)
class Ending:
    """A model of rows that span several nights and link a guest to a host (a stay): deleted, not
    flagged, once ``over(now)`` (a ``Q``) holds; a panic deletes a hub's rows at once (``hub`` field)."""

    model: type[models.Model]
    over: Callable


@dataclass
class Registry:
    night: type[models.Model] | None = None
    before_night_purge: list[Callable] = field(default_factory=list)
    decided: list[Decided] = field(default_factory=list)
    ending: list[Ending] = field(default_factory=list)
    panic: list[Callable] = field(default_factory=list)


registry = Registry()


def register_night(model: type[models.Model]) -> None:
    """``model`` is the night itself: every night-scoped row leads to it through foreign keys."""
    registry.night = model


def before_night_purge(hook: Callable) -> None:
    """``hook(night)`` runs in the purge's transaction, before the night's rows are deleted."""
    if hook not in registry.before_night_purge:
        registry.before_night_purge.append(hook)


def register_decided(model: type[models.Model], decided: models.Q, clock: str,
                     pending: models.Q | None = None, pending_clock: str = "created_at") -> None:
    entry = Decided(model, decided, clock, pending, pending_clock)
    if entry not in registry.decided:
        registry.decided.append(entry)


def register_ending(model: type[models.Model], over: Callable) -> None:
    """``model``'s rows are deleted once ``over(now)`` holds, and with their hub's nights in a panic."""
    if model not in {e.model for e in registry.ending}:
        registry.ending.append(Ending(model, over))


def on_panic(hook: Callable) -> None:
    """``hook(user_ids, keep_session) -> int`` runs in a panic's transaction: it forgets what
    reaches the phones of ``user_ids`` (the hub's members), but what belongs to the session
    ``keep_session`` (the admin's own, kept); it returns how many rows went."""
    if hook not in registry.panic:
        registry.panic.append(hook)


def night_model() -> type[models.Model]:
    if registry.night is None:
        raise LookupError("no app registered the night (hubs registers it in its AppConfig.ready)")
    return registry.night
