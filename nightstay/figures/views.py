"""The figures kept since the start: every night counted, the totals, a chart, a CSV, a public page."""
from __future__ import annotations

from django.db.models import Count, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from nightstay.hubs.access import HubRequest, hub_role_required
from nightstay.hubs.models import STAFF, Hub, Role

from . import charts
from .models import NightFigures


@hub_role_required(*STAFF)
def history(request: HubRequest):
    """Every night counted so far, newest first, the totals since the start and the months as a chart."""
    kept = NightFigures.objects.filter(hub=request.hub)
    totals = kept.aggregate(nights=Count("id"), dormitory=Sum("sheltered_dormitory"), hosts=Sum("sheltered_hosts"),
                            people=Sum("people"), km=Sum("driver_km"), stays=Sum("stay_nights"))
    totals["sheltered"] = (totals["dormitory"] or 0) + (totals["hosts"] or 0)
    return render(request, "figures/history.html", {"rows": kept[:90], "totals": totals,
                                                    "chart": charts.monthly_svg([request.hub]),
                                                    "is_admin": Role.ADMIN in request.roles})


@hub_role_required(*STAFF)
def export(request: HubRequest):
    """Coordinators: the counts per month as CSV, the same numbers as the chart and the public page."""
    response = HttpResponse(charts.as_csv(charts.monthly([request.hub])), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{request.hub.slug}-nights.csv"'
    return response


@hub_role_required(Role.ADMIN)
@require_POST
def publish(request: HubRequest):
    """Hub admins: show (or stop showing) the anonymous counts on a public page."""
    request.hub.shows_figures = request.POST.get("show") == "1"
    request.hub.save(update_fields=["shows_figures"])
    return redirect("figures", hub=request.hub.slug)


@require_GET
def public(request, hub: str):
    """Anyone, when the hub chose to show its counts (off by default): a 404 otherwise, as for no hub."""
    hub_obj = get_object_or_404(Hub, slug=hub)
    if not hub_obj.shows_figures:
        raise Http404("no such page")
    rows = charts.monthly([hub_obj])
    return render(request, "figures/public.html", {"shown": hub_obj, "rows": rows, "chart": charts.svg(rows),
                                                   "totals": charts.totals(hub_obj)})
