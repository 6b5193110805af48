"""What is purged when, read from every model's ``data_labels``.

- ``Retention.NIGHT``: every row of a model labelled night-scoped is deleted 12 hours after
  its night's window ends (``Night.purge_due()``). The row is found through its foreign keys
  (a ``Stop`` through its trip, to the night). Anonymous counts (``NightFigures``) are kept,
  recorded at purge time when nobody closed the night.
- ``Retention.APPLICATION``: the personal fields of an approved or declined application are
  blanked 30 days after the decision; the row stays as a bare count. An application nobody
  decided is deleted ``PENDING_APPLICATION_DAYS`` (60) after it was sent.
- ``Retention.AUDIT``: audit rows are deleted after 90 days.
- ``Retention.STAY``: a stay (a guest's nights with one host) is deleted when either side
  ends it, or at the purge once its last night is over; a panic deletes the hub's stays.

A model that carries night, application or audit labels but that this module cannot reach
is a failing test (``tests/web/test_purge.py``), not a row kept forever. The apps above tell
this module what it cannot know on its own (the night, the counts, the applications) in
``registry``.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

from . import night_keys
from .labels import Retention, Sensitivity
from .registry import night_model, registry

APPLICATION_DAYS = 30
AUDIT_DAYS = 90
# The timestamp each audit table is aged by.
AUDIT_CLOCKS = {"privacy.AddressReveal": "at"}


def platform_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("nightstay.")]


def retentions(model) -> set[Retention]:
    return {lab.retention for lab in getattr(model, "data_labels", {}).values()}


def path_to_night(model, seen: tuple = ()) -> str | None:
    """The lookup from ``model`` to its ``hubs.Night`` through foreign keys (``trip__night``)."""
    night = night_model()
    for field in model._meta.concrete_fields:
        if not field.many_to_one or field.null:
            continue
        target = field.related_model
        if target is night:
            return field.name
        if target not in seen and Retention.NIGHT in retentions(target):
            rest = path_to_night(target, seen + (model,))
            if rest:
                return f"{field.name}__{rest}"
    return None


def night_scoped() -> list[tuple[type[models.Model], str]]:
    """Every model whose rows live for one night, with its path to the night.

    A model is night-scoped when all its fields are labelled ``Retention.NIGHT``.
    """
    found = []
    for model in platform_models():
        if retentions(model) == {Retention.NIGHT}:
            found.append((model, path_to_night(model)))
    return found


def uncovered() -> list[str]:
    """Models with labels this purge cannot act on: what a test refuses."""
    problems = []
    for model in platform_models():
        kinds = retentions(model)
        name = model._meta.label
        if Retention.NIGHT in kinds and kinds != {Retention.NIGHT}:
            problems.append(f"{name} mixes night-scoped fields with longer-lived ones")
        elif kinds == {Retention.NIGHT} and path_to_night(model) is None:
            problems.append(f"{name} is night-scoped but has no required foreign key leading to its night")
        if Retention.AUDIT in kinds and name not in AUDIT_CLOCKS:
            problems.append(f"{name} holds audit rows but has no entry in AUDIT_CLOCKS")
        if Retention.APPLICATION in kinds and model not in {d.model for d in registry.decided}:
            problems.append(f"{name} holds application fields but its app did not register_decided() it")
        if Retention.STAY in kinds and model not in {e.model for e in registry.ending}:
            problems.append(f"{name} holds stay fields but its app did not register_ending() it")
    return problems


def night_rows(night) -> dict[str, int]:
    """How many night-scoped rows ``night`` still has, by model."""
    return {model._meta.label: model.objects.filter(**{path: night}).count() for model, path in night_scoped()}


@transaction.atomic
def purge_night(night, now: datetime | None = None) -> Counter:
    """Delete every night-scoped row of ``night``, keeping its anonymous counts first (a night
    that nobody came to leaves no counts: it was only opened by someone's page)."""
    if any(night_rows(night).values()):
        for hook in registry.before_night_purge:
            hook(night)
    deleted: Counter = Counter()
    for model, path in night_scoped():
        _, by_model = model.objects.filter(**{path: night}).delete()
        deleted.update({k: v for k, v in by_model.items() if v})
    night.purged_at = now or timezone.now()
    night.save(update_fields=["purged_at"])
    shred(night)
    return deleted


def shred(night) -> None:
    """Destroy the key of ``night`` once its deletion is committed: every copy of what it sealed,
    in ``pg_wal``, a backup or a freed block, no longer opens (``night_keys``). Not before the
    commit: a purge that rolls back must leave a night that still reads."""
    night_id = night.pk
    transaction.on_commit(lambda: night_keys.destroy(night_id))


def nights_due(now: datetime):
    """Nights whose purge is due and not yet done (a panic purge before the due time does not count)."""
    keep = timedelta(hours=settings.NIGHT_RETENTION_HOURS)
    return night_model().objects.filter(end__lte=now - keep).filter(not_purged_on_time())


def not_purged_on_time() -> Q:
    keep = timedelta(hours=settings.NIGHT_RETENTION_HOURS)
    return Q(purged_at__isnull=True) | Q(purged_at__lt=F("end") + keep)


def purge_applications(now: datetime) -> int:
    """Blank the personal fields of applications decided more than 30 days ago."""
    return sum(_blank_decided(entry, now) for entry in registry.decided)


def _blank_decided(entry, now: datetime) -> int:
    model, cleared, still_there = entry.model, {}, Q()
    for name, lab in model.data_labels.items():
        if lab.sensitivity == Sensitivity.TECHNICAL:
            continue
        field = model._meta.get_field(name)
        if field.is_relation:
            cleared[field.attname] = None
            still_there |= Q(**{f"{field.attname}__isnull": False})
        else:
            cleared[name] = ""
            still_there |= ~Q(**{name: ""})
    qs = model.objects.filter(entry.decided, **{f"{entry.clock}__lt": now - timedelta(days=APPLICATION_DAYS)})
    return qs.filter(still_there).update(**cleared)


def purge_undecided(now: datetime) -> int:
    """Delete applications that waited for a call longer than ``PENDING_APPLICATION_DAYS``."""
    too_old = now - timedelta(days=settings.PENDING_APPLICATION_DAYS)
    return sum(entry.model.objects.filter(entry.pending, **{f"{entry.pending_clock}__lt": too_old}).delete()[0]
               for entry in registry.decided if entry.pending is not None)


def purge_ended(now: datetime) -> int:
    """Delete the stays (and any such rows) whose last night is over."""
    return sum(entry.model.objects.filter(entry.over(now)).delete()[0] for entry in registry.ending)


def purge_audit(now: datetime) -> Counter:
    deleted: Counter = Counter()
    for name, clock in AUDIT_CLOCKS.items():
        model = apps.get_model(name)
        count, _ = model.objects.filter(**{f"{clock}__lt": now - timedelta(days=AUDIT_DAYS)}).delete()
        if count:
            deleted[name] = count
    return deleted


def purge(now: datetime | None = None) -> dict:
    """Everything due at ``now``: nights, applications, audit rows, expired sessions."""
    from django.contrib.sessions.models import Session

    now = now or timezone.now()
    nights: Counter = Counter()
    purged = 0
    for night in nights_due(now):
        nights.update(purge_night(night, now))
        purged += 1
    sessions, _ = Session.objects.filter(expire_date__lt=now).delete()
    done = {"nights": purged, "night_rows": nights, "applications": purge_applications(now),
            "undecided": purge_undecided(now), "audit": purge_audit(now), "sessions": sessions,
            "ended": purge_ended(now)}
    if purged or done["applications"] or done["undecided"] or done["ended"]:
        from .scrub import scrub

        scrub()
    return done


def end_sessions(user_ids, keep: str | None = None) -> int:
    """End every live session of ``user_ids`` except the session key ``keep``; how many ended."""
    from django.contrib.sessions.models import Session

    users = {str(uid) for uid in user_ids}
    keys = [s.session_key for s in Session.objects.filter(expire_date__gt=timezone.now()).exclude(session_key=keep or "")
            if str(s.get_decoded().get("_auth_user_id", "")) in users]
    Session.objects.filter(session_key__in=keys).delete()
    return len(keys)


def wipe(nights, user_ids, keep_session: str | None = None, hub_ids=()) -> dict:
    """A panic: the ``nights`` not yet purged on time lose their rows at once (counts first,
    run-sheet links with them) and their keys (``night_keys``), the stays of ``hub_ids`` are
    deleted, what reaches the phones of ``user_ids`` is forgotten (``registry.on_panic``) and
    every session of ``user_ids`` ends but ``keep_session``; then what was deleted is cleared
    from the database's files (``privacy.scrub``)."""
    from .scrub import scrub

    done = _wipe(nights, user_ids, keep_session, hub_ids)
    scrub()
    return done


@transaction.atomic
def _wipe(nights, user_ids, keep_session: str | None, hub_ids=()) -> dict:
    now = timezone.now()
    rows: Counter = Counter()
    for night in nights.filter(not_purged_on_time()):
        if any(night_rows(night).values()):
            rows.update(purge_night(night, now))
        else:
            shred(night)  # a night with no rows left may still have its key
    ended = sum(entry.model.objects.filter(hub__in=list(hub_ids)).delete()[0] for entry in registry.ending)
    forgotten = sum(hook(list(user_ids), keep_session) for hook in registry.panic)  # their phones' push, say
    return {"night_rows": rows, "sessions": end_sessions(user_ids, keep_session), "ended": ended,
            "forgotten": forgotten}


def labels_markdown() -> str:
    """Every model and field with its label, as ``docs/what-we-hold.md`` lists them."""
    out = []
    for model in platform_models():
        labels = model.data_labels
        kept = ", ".join(sorted({lab.retention.value for lab in labels.values()}))
        out += [f"### {model._meta.label}", "", f"Kept: {kept}.", "",
                "| field | sensitivity | kept | why |", "|---|---|---|---|"]
        for field in model._meta.concrete_fields:
            lab = labels.get(field.name)
            if lab is not None:
                out.append(f"| `{field.name}` | {lab.sensitivity.value} | {lab.retention.value} | {lab.why} |")
        out.append("")
    return "\n".join(out)
