"""Planner runs on tonight's state, in the background so the board stays responsive.

``start`` writes a ``PlanRun`` with tonight's night document and hands it to a daemon
thread, which calls the planner in-process and stores the plan; the board polls the run
until it is done. One run at a time per night: a second "Plan" while one is under way
gets the run already going. With ``settings.PLAN_IN_BACKGROUND = False`` (the tests) the
run happens before ``start`` returns; ``settings.PLAN_TIME_LIMIT`` (seconds) bounds the solve
on the clock (``MaxRuntime``).
"""
from __future__ import annotations

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from nightstay.hubs.models import Night
from nightstay.planner import MaxRuntime, NightError, read_night, solve

from . import nightfile
from .models import PlanRun

log = logging.getLogger(__name__)

TIME_LIMIT = 2.0
STALE_AFTER = timedelta(minutes=2)  # a run still "running" after this died with its process
UNDER_WAY = (PlanRun.Status.QUEUED, PlanRun.Status.RUNNING)


def start(night: Night, user) -> PlanRun:
    """Queue a run on tonight's state (or return the one under way) and start it."""
    with transaction.atomic():
        Night.objects.select_for_update().get(pk=night.pk)
        current = night.plan_runs.filter(status__in=UNDER_WAY).order_by("-created_at").first()
        if current and is_under_way(current):
            return current
        if current:
            night.plan_runs.filter(status__in=UNDER_WAY).update(status=PlanRun.Status.FAILED, error="interrupted")
        try:
            doc, _ids = nightfile.build(night)
        except NightError as exc:  # a bug in the night document: say so on the board, keep the night going
            log.error("night document refused: %s", "; ".join(exc.problems[:5]))
            return PlanRun.objects.create(night=night, created_by=user, status=PlanRun.Status.FAILED,
                                          error="; ".join(exc.problems)[:300])
        run = PlanRun.objects.create(night=night, created_by=user, night_json=doc)
    if getattr(settings, "PLAN_IN_BACKGROUND", True):
        threading.Thread(target=_in_thread, args=(run.pk,), daemon=True, name=f"plan-{run.pk}").start()
    else:
        execute(run.pk)
    return run


def is_under_way(run: PlanRun) -> bool:
    """Queued or running, and recently enough that its thread is still alive."""
    return run.status in UNDER_WAY and timezone.now() - run.created_at < STALE_AFTER


def _in_thread(run_id) -> None:
    close_old_connections()
    try:
        execute(run_id)
    finally:
        connection.close()


def execute(run_id) -> None:
    """Solve the run's night document and store the plan (or why there is none)."""
    PlanRun.objects.filter(pk=run_id).update(status=PlanRun.Status.RUNNING)
    run = PlanRun.objects.get(pk=run_id)
    try:
        stop = MaxRuntime(getattr(settings, "PLAN_TIME_LIMIT", TIME_LIMIT))
        plan = solve(read_night(run.night_json), stop).to_json()
    except Exception as exc:  # the board must say "failed", never spin forever
        log.exception("planner run %s failed", run_id)
        PlanRun.objects.filter(pk=run_id).update(status=PlanRun.Status.FAILED, error=str(exc)[:300])
        return
    PlanRun.objects.filter(pk=run_id).update(status=PlanRun.Status.DONE, plan_json=plan)


def proposal(night: Night) -> PlanRun | None:
    """The latest finished plan of the night: what the board shows and what "Announce" sends."""
    return night.plan_runs.filter(status=PlanRun.Status.DONE).order_by("-created_at").first()
