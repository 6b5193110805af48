"""The night's end: who is still waiting, the night's counts kept, and tonight's files.

Closing keeps the night's anonymous counts (``NightFigures``); the purge keeps them too when
nobody closed. Tonight's files are the night file the latest plan was made from and that
plan, for the planner on a laptop (``nightstay check``) or the hub's own records.
"""
from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nightstay.hubs.access import HubRequest, hub_role_required
from nightstay.hubs.models import STAFF, Night
from nightstay.intake.models import Party
from nightstay.planning import nightfile, runs

from .models import NightFigures


def _close_context(night: Night) -> dict:
    waiting = (Party.objects.filter(night=night, placement__isnull=True)
               .exclude(status=Party.Status.LEFT).order_by("-vulnerable", "waiting_since"))
    return {"night": night, "waiting": waiting, "counts": NightFigures.count(night),
            "kept": NightFigures.objects.filter(hub=night.hub, date=night.date).first()}


@hub_role_required(*STAFF)
def close(request: HubRequest):
    night = request.hub.tonight()
    return render(request, "figures/close.html", _close_context(night))


@hub_role_required(*STAFF)
@require_POST
def close_night(request: HubRequest):
    """Keep tonight's counts and mark the night closed; closing again re-counts (but never over
    the counts a panic kept: the rows they came from are gone)."""
    night = request.hub.tonight()
    NightFigures.record(night, replace=night.purged_at is None)
    night.status = Night.Status.CLOSED
    night.save(update_fields=["status"])
    night.changed()
    if request.htmx:
        return render(request, "figures/_counts.html", _close_context(night))
    messages.success(request, _("The night is closed. Its counts are kept."))
    return redirect("night_close", hub=request.hub.slug)


def _download(night: Night, kind: str, doc: dict) -> HttpResponse:
    response = HttpResponse(json.dumps(doc, indent=1, ensure_ascii=False), content_type="application/json")
    name = f"nightstay-{night.hub.slug}-{night.date}-{kind}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@hub_role_required(*STAFF)
def night_file(request: HubRequest):
    """Tonight as a night file: the one the latest plan was made from, else tonight's state now."""
    night = request.hub.tonight()
    run = runs.proposal(night)
    doc = run.night_json if run is not None else nightfile.build(night)[0]
    return _download(night, "night", doc)


@hub_role_required(*STAFF)
def plan_file(request: HubRequest):
    night = request.hub.tonight()
    run = runs.proposal(night)
    if run is None:
        raise Http404("no plan tonight")
    return _download(night, "plan", run.plan_json)
