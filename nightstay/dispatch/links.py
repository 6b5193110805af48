"""Run-sheet links on the board: each driver's link state, never the link itself.

A link reaches its driver on their own logged-in page, or as a QR code a coordinator shows
once at the park: after that (or once the link is open on a phone) the board can no longer
show it, and showing one again means a new link, which revokes the old. The board says only
whether each link is not opened yet, open on a phone since when, or revoked. Coordinators
and hub admins only (with their second factor).
"""
from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nightstay.hubs.access import HubRequest, hub_role_required
from nightstay.hubs.models import STAFF, Night

from . import tell
from .models import RunSheetGrant




def states(night: Night) -> list[RunSheetGrant]:
    """Each driver's latest link tonight (its ``state()`` for the board), by first name."""
    latest = {}
    for grant in RunSheetGrant.objects.filter(night=night).select_related("driver", "shown_by").order_by("pk"):
        if grant.driver_id not in latest or _newer(grant, latest[grant.driver_id]):
            latest[grant.driver_id] = grant
    return sorted(latest.values(), key=lambda g: (g.driver.first_name, str(g.driver_id)))


def _newer(grant: RunSheetGrant, than: RunSheetGrant) -> bool:
    """A live link over a dead one; else the later revocation."""
    if grant.is_live() != than.is_live():
        return grant.is_live()
    return (grant.revoked_at or grant.expires_at) > (than.revoked_at or than.expires_at)


def _live(request: HubRequest, grant: str) -> RunSheetGrant:
    night = request.hub.tonight()
    return get_object_or_404(RunSheetGrant, pk=grant, night=night, revoked_at__isnull=True,
                             expires_at__gt=timezone.now())


@hub_role_required(*STAFF)
@require_POST
def show_code(request: HubRequest, grant: str):
    """The link as a QR code for the driver's phone to scan, once: a second showing is refused (410)."""
    request.private_page = True
    grant = _live(request, grant)
    if not grant.show_once(request.user):
        return render(request, "dispatch/link_code_gone.html", {"grant": grant}, status=410)
    url = settings.SITE_ROOT.rstrip("/") + reverse("run_sheet", args=[grant.token()])
    qr = segno.make(url, error="m").svg_inline(scale=5, dark="#000", light="#fff")
    return render(request, "dispatch/link_code.html", {"grant": grant, "qr": qr})


@hub_role_required(*STAFF)
@require_POST
def new_link(request: HubRequest, grant: str):
    """Revoke a driver's run-sheet link (a lost phone, a link opened elsewhere) and issue a fresh one."""
    old = get_object_or_404(RunSheetGrant, pk=grant, night=request.hub.tonight(), revoked_at__isnull=True)
    old.revoked_at = timezone.now()
    old.save(update_fields=["revoked_at"])
    grant, _token = RunSheetGrant.issue(old.night, old.driver)
    if tell.was_sent(old):  # the driver was sent the old one: they are told of the new one
        tell.send_link(grant, renewed=True)
        old.night.changed()
        messages.success(request, _("The old link no longer opens. The driver is sent word of the new one, "
                                    "or show its code once."))
    else:
        messages.success(request, _("The old link no longer opens. The driver finds the new one on their page, "
                                    "or show its code once."))
    return redirect("board", hub=request.hub.slug)
