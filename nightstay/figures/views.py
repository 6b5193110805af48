"""The figures kept since the start: every night counted, and the totals."""
from __future__ import annotations

from django.db.models import Count, Sum
from django.shortcuts import render

from nightstay.hubs.access import HubRequest, hub_role_required
from nightstay.hubs.models import STAFF

from .models import NightFigures


@hub_role_required(*STAFF)
def history(request: HubRequest):
    """Every night counted so far, newest first, and the totals since the start."""
    kept = NightFigures.objects.filter(hub=request.hub)
    totals = kept.aggregate(nights=Count("id"), dormitory=Sum("sheltered_dormitory"), hosts=Sum("sheltered_hosts"),
                            people=Sum("people"), km=Sum("driver_km"))
    totals["sheltered"] = (totals["dormitory"] or 0) + (totals["hosts"] or 0)
    return render(request, "figures/history.html", {"rows": kept[:90], "totals": totals})
