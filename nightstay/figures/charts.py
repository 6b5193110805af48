"""Nights of accommodation per hub and per month, as numbers, as CSV and as an SVG chart.

The chart is drawn here, on the server, as plain SVG inside the page: no script, no library
in the browser, nothing fetched from elsewhere. It reads only ``NightFigures`` (anonymous
counts kept after the purge), so it holds nothing a purge would have deleted.
"""
from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date

from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import NightFigures

COLOURS = ("#2a6f97", "#e07a1f", "#5a9e4b", "#8e5ea2", "#c0392b", "#7f8c8d")
FIELDS = ("hub", "month", "nights_counted", "people", "sheltered", "sheltered_dormitory", "sheltered_hosts",
          "left_waiting", "driver_km")


def monthly(hubs) -> list[dict]:
    """One row per hub and month: the month's summed counts, months oldest first."""
    rows = (NightFigures.objects.filter(hub__in=hubs).annotate(month=TruncMonth("date"))
            .values("hub__name", "month").order_by("month", "hub__name")
            .annotate(nights_counted=Sum(1), people=Sum("people"), sheltered_dormitory=Sum("sheltered_dormitory"),
                      sheltered_hosts=Sum("sheltered_hosts"), left_waiting=Sum("left_waiting"),
                      driver_km=Sum("driver_km")))
    out = []
    for row in rows:
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        out.append({"hub": row["hub__name"], "month": month.strftime("%Y-%m"), "nights_counted": row["nights_counted"],
                    "people": row["people"], "sheltered": row["sheltered_dormitory"] + row["sheltered_hosts"],
                    "sheltered_dormitory": row["sheltered_dormitory"], "sheltered_hosts": row["sheltered_hosts"],
                    "left_waiting": row["left_waiting"], "driver_km": round(row["driver_km"] or 0, 1)})
    return out


def as_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def svg(rows: list[dict], months: int = 12) -> SafeString:
    """Grouped bars: for each of the last ``months`` months counted, one bar per hub."""
    if not rows:
        return mark_safe("")
    shown = sorted({r["month"] for r in rows})[-months:]
    hubs = sorted({r["hub"] for r in rows})
    value = defaultdict(int, {(r["month"], r["hub"]): r["sheltered"] for r in rows})
    top = max(1, max(value[(m, h)] for m in shown for h in hubs))
    width, height, left, bottom, gap = 640, 240, 48, 40, 8
    group = (width - left) / len(shown)
    bar = max(2.0, (group - gap) / len(hubs))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 24 * ((len(hubs) + 2) // 3)}" '
             f'role="img" class="chart" aria-labelledby="chart-title"><title id="chart-title">'
             f'Nights of accommodation per hub and per month</title>',
             f'<text x="0" y="12" font-size="11">{top}</text><text x="0" y="{height - bottom}" font-size="11">0</text>',
             f'<line x1="{left - 4}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="#555"/>']
    for i, month in enumerate(shown):
        x0 = left + i * group
        for j, hub in enumerate(hubs):
            n = value[(month, hub)]
            h = (height - bottom - 16) * n / top
            parts.append(f'<rect x="{x0 + j * bar:.1f}" y="{height - bottom - h:.1f}" width="{bar - 1:.1f}" '
                         f'height="{h:.1f}" fill="{COLOURS[j % len(COLOURS)]}"><title>{escape(hub)} {month}: {n}'
                         f'</title></rect>')
        parts.append(f'<text x="{x0:.1f}" y="{height - bottom + 16}" font-size="11">{month}</text>')
    for j, hub in enumerate(hubs):
        x, y = (j % 3) * 210, height + 24 * (j // 3)
        parts.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{COLOURS[j % len(COLOURS)]}"/>'
                     f'<text x="{x + 16}" y="{y}" font-size="12">{escape(hub)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text in it is a number or escaped


def monthly_svg(hubs) -> SafeString:
    return svg(monthly(hubs))


def totals(hub) -> dict:
    kept = NightFigures.objects.filter(hub=hub)
    sums = kept.aggregate(dormitory=Sum("sheltered_dormitory"), hosts=Sum("sheltered_hosts"), people=Sum("people"))
    first = kept.order_by("date").values_list("date", flat=True).first()
    return {"sheltered": (sums["dormitory"] or 0) + (sums["hosts"] or 0), "people": sums["people"] or 0,
            "nights": kept.count(), "since": first or date.today()}
