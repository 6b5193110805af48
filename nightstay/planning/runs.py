"""Planner runs on tonight's state, solved by a task worker so no web worker ever plans.

``start`` only writes a queued ``PlanRun`` and enqueues ``execute`` (a django-tasks task that
takes the run's id) for a worker process (``manage.py db_worker``): the press answers at once,
even on a big night under load (building the night document reads the whole night: seconds,
benchmarks/results/network-evening.md). The worker builds tonight's night document as of the
moment it takes the run (the night at time T), stores it on the run (the night file download
and the board's diff read it) and solves it; the board polls the run until it is done. One run
at a time per night: a second "Plan" while one is under way gets the run already going.

A worker can die mid-run (killed, out of memory, machine restarted): from the moment it takes
a run (building the night document, then solving) it touches ``PlanRun.heartbeat_at`` every
second from a small thread, and ``reap`` (called by the board's poll and by ``start``) marks
failed a run whose heartbeat is older than ``HEARTBEAT_STALE``, or one queued longer than
``QUEUED_STALE`` while no worker showed any sign of life for as long. The night's row lock only
guards "one run at a time". ``settings.PLAN_TIME_LIMIT`` (seconds) bounds the solve on the clock
(``MaxRuntime``); with ``settings.PLAN_DETERMINISTIC`` (rehearsals) it is counted work instead
(``MaxWork.for_seconds``), the same plan on a busy machine as on an idle one.
"""
from __future__ import annotations

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Case, Exists, Q, Value, When
from django.utils import timezone
from django_tasks import task

from nightstay.hubs.models import Night
from nightstay.planner import MaxRuntime, MaxWork, NightError, read_night, solve
from nightstay.privacy.night_fields import seal_for
from nightstay.privacy.night_keys import NightKeyLost

from . import nightfile
from .models import PlanRun

log = logging.getLogger(__name__)

HEARTBEAT_EVERY = 1.0  # seconds between two signs of life from the worker
HEARTBEAT_STALE = timedelta(seconds=5)  # a running run silent this long lost its worker
QUEUED_STALE = timedelta(seconds=60)  # queued this long while no worker showed life: no worker runs
UNDER_WAY = (PlanRun.Status.QUEUED, PlanRun.Status.RUNNING)
WORKER_STOPPED = "the planning worker stopped; press Plan again"
KEY_LOST = "the night's key is gone: this plan cannot be read; press Plan again"
NO_WORKER = "no planning worker is running; press Plan again (docs/deploy.md: workers)"


def start(night: Night, user) -> PlanRun:
    """Queue a run on tonight's state (or return the one under way) for a worker; builds nothing."""
    with transaction.atomic():
        Night.objects.select_for_update().get(pk=night.pk)
        reap(night)
        current = night.plan_runs.filter(status__in=UNDER_WAY).order_by("-created_at").first()
        if current:
            return current
        run = PlanRun.objects.create(night=night, created_by=user)
    execute.enqueue(str(run.pk))  # after the commit: a worker must find the run it is given
    night.changed()
    return run


def is_under_way(run: PlanRun) -> bool:
    return run.status in UNDER_WAY


def reap(night: Night) -> int:
    """Mark failed the runs whose worker is gone; the board says so and Plan works again."""
    now = timezone.now()
    silent = Q(status=PlanRun.Status.RUNNING) & (
        Q(heartbeat_at__lt=now - HEARTBEAT_STALE) | Q(heartbeat_at__isnull=True, created_at__lt=now - HEARTBEAT_STALE))
    # Queued a while is not enough: on a busy evening the runs of many hubs wait their turn
    # (each builds its night, then solves). "No worker" is: no run of any night beat lately.
    worker_alive = PlanRun.objects.filter(heartbeat_at__gte=now - QUEUED_STALE)
    untaken = Q(Q(status=PlanRun.Status.QUEUED, created_at__lt=now - QUEUED_STALE), ~Exists(worker_alive))
    n = night.plan_runs.filter(silent | untaken).update(  # one query: the board asks on every poll
        status=PlanRun.Status.FAILED,
        error=Case(When(status=PlanRun.Status.RUNNING, then=Value(WORKER_STOPPED)), default=Value(NO_WORKER)))
    if n:
        log.warning("%d planner run(s) of night %s lost their worker", n, night.pk)
        night.changed()
    return n


@task()
def execute(run_id: str) -> None:
    """Build tonight's night document (as of now), store it on the run, solve it and store the
    plan (or why there is none).

    Safe to run twice: only the call that moves the run from queued to running builds and
    solves it. The run counts as running (heartbeat and all) while its night is being built."""
    if not PlanRun.objects.filter(pk=run_id, status=PlanRun.Status.QUEUED).update(
            status=PlanRun.Status.RUNNING, heartbeat_at=timezone.now()):
        return
    run = PlanRun.objects.select_related("night").get(pk=run_id)
    beating = threading.Event()
    heart = threading.Thread(target=_heartbeat, args=(run_id, beating), daemon=True, name=f"heartbeat-{run_id}")
    heart.start()
    status, fields = PlanRun.Status.FAILED, {"error": "stopped"}
    try:
        doc = nightfile.build(run.night)[0]  # the night at T: this moment, in the worker
        fields["night_json"] = seal_for(run, "night_json", doc)  # sealed under the night's key
        limit = settings.PLAN_TIME_LIMIT  # it bounds the solve, not the build
        stop = MaxWork.for_seconds(limit) if getattr(settings, "PLAN_DETERMINISTIC", False) else MaxRuntime(limit)
        plan = solve(read_night(doc), stop).to_json()
        status, fields = PlanRun.Status.DONE, {"night_json": fields["night_json"],
                                               "plan_json": seal_for(run, "plan_json", plan)}
    except NightError as exc:  # a bug in the night document: say so on the board, keep the night going
        log.error("planner run %s: night document refused: %s", run_id, "; ".join(exc.problems[:5]))
        fields = {**fields, "error": "; ".join(exc.problems)[:300]}
    except Exception as exc:  # the board must say "failed", never spin forever
        log.exception("planner run %s failed", run_id)
        fields = {**fields, "error": str(exc)[:300]}
    finally:  # also on SIGTERM (the worker stops the task): the run never stays "running"
        beating.set()
        heart.join()
        PlanRun.objects.filter(pk=run_id, status=PlanRun.Status.RUNNING).update(status=status, **fields)
        run.night.changed()


def _heartbeat(run_id: str, stop: threading.Event) -> None:
    """The worker's sign of life, every second while it solves (its own database connection)."""
    try:
        while not stop.wait(HEARTBEAT_EVERY):
            try:
                PlanRun.objects.filter(pk=run_id, status=PlanRun.Status.RUNNING).update(heartbeat_at=timezone.now())
            except DatabaseError:  # a busy database: the next beat tries again, 5 s before anyone worries
                log.warning("planner run %s: heartbeat not written", run_id)
    finally:
        connection.close()


def proposal(night: Night) -> PlanRun | None:
    """The latest finished plan of the night: what the board shows and what "Announce" sends.

    A plan sealed under a key of the night that is gone (``privacy.night_keys``: its file lost
    during the night) can be neither shown nor announced: it is marked failed, the board says
    so, and "Plan" makes a new one from the night's rows under a new key."""
    while (run := night.plan_runs.filter(status=PlanRun.Status.DONE).order_by("-created_at").first()) is not None:
        try:
            run.night_json, run.plan_json
        except NightKeyLost:
            log.error("planner run %s of night %s: the night's key is gone, the plan cannot be read", run.pk, night.pk)
            PlanRun.objects.filter(pk=run.pk).update(status=PlanRun.Status.FAILED, error=KEY_LOST)
            night.changed()
            continue
        return run
    return None
