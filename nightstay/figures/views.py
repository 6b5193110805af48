"""The night's close (who is still waiting, the night's counts, tonight's files), the figures
kept since the start, and the panic button."""
from __future__ import annotations

import json

from django.contrib import messages
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nightstay.dispatch import nightfile, planning
from nightstay.hubs.access import HubRequest, hub_role_required
from nightstay.hubs.models import Night, Role
from nightstay.intake.models import Party
from nightstay.privacy.retention import panic as wipe

from .models import NightFigures

COORDINATORS = (Role.COORDINATOR, Role.ADMIN)


def _close_context(night: Night) -> dict:
    waiting = (Party.objects.filter(night=night, placement__isnull=True)
               .exclude(status=Party.Status.LEFT).order_by("-vulnerable", "waiting_since"))
    return {"night": night, "waiting": waiting, "counts": NightFigures.count(night),
            "kept": NightFigures.objects.filter(hub=night.hub, date=night.date).first()}


@hub_role_required(*COORDINATORS)
def close(request: HubRequest):
    night = request.hub.tonight()
    return render(request, "figures/close.html", _close_context(night))


@hub_role_required(*COORDINATORS)
@require_POST
def close_night(request: HubRequest):
    """Keep tonight's counts and mark the night closed; closing again re-counts (but never over
    the counts a panic kept: the rows they came from are gone)."""
    night = request.hub.tonight()
    NightFigures.record(night, replace=night.purged_at is None)
    night.status = Night.Status.CLOSED
    night.save(update_fields=["status"])
    if request.htmx:
        return render(request, "figures/_counts.html", _close_context(night))
    messages.success(request, _("The night is closed. Its counts are kept."))
    return redirect("night_close", hub=request.hub.slug)


def _download(night: Night, kind: str, doc: dict) -> HttpResponse:
    response = HttpResponse(json.dumps(doc, indent=1, ensure_ascii=False), content_type="application/json")
    name = f"nightstay-{night.hub.slug}-{night.date}-{kind}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@hub_role_required(*COORDINATORS)
def night_file(request: HubRequest):
    """Tonight as a night file: the one the latest plan was made from, else tonight's state now."""
    night = request.hub.tonight()
    run = planning.proposal(night)
    doc = run.night_json if run is not None else nightfile.build(night)[0]
    return _download(night, "night", doc)


@hub_role_required(*COORDINATORS)
def plan_file(request: HubRequest):
    night = request.hub.tonight()
    run = planning.proposal(night)
    if run is None:
        raise Http404("no plan tonight")
    return _download(night, "plan", run.plan_json)


@hub_role_required(*COORDINATORS)
def history(request: HubRequest):
    """Every night counted so far, newest first, and the totals since the start."""
    kept = NightFigures.objects.filter(hub=request.hub)
    totals = kept.aggregate(nights=Count("id"), dormitory=Sum("sheltered_dormitory"), hosts=Sum("sheltered_hosts"),
                            people=Sum("people"), km=Sum("driver_km"))
    totals["sheltered"] = (totals["dormitory"] or 0) + (totals["hosts"] or 0)
    return render(request, "figures/history.html", {"rows": kept[:90], "totals": totals})


@hub_role_required(Role.ADMIN)
def panic(request: HubRequest):
    """Wipe tonight's data for the hub now; the admin's own session stays, every other member's ends."""
    if request.method == "POST":
        if request.POST.get("confirm") != "wipe":
            return render(request, "figures/panic.html", {"error": True}, status=400)
        done = wipe(request.hub, keep_session=request.session.session_key)
        response = render(request, "figures/panic_done.html",
                          {"rows": sum(done["night_rows"].values()), "sessions": done["sessions"]})
        response["Clear-Site-Data"] = '"cache", "storage"'  # this phone's kept intake goes too
        return response
    return render(request, "figures/panic.html")
