"""What volunteers see once the night is announced: a driver's run sheet, a host's notice.

The run sheet opens from a secret link (no log-in on a phone in a car) that reaches its
driver alone: their own page (``driver_tonight``) or a QR code shown once at the park; no
coordinator page shows it. The link opens on one phone only: the first device that opens it
gets a random secret in a cookie (HttpOnly, SameSite=Strict, Secure over HTTPS, sent only to
this link's pages) and the link keeps its hash; another device gets a page saying so and no
address. The sheet shows one exact address: the next stop's, and only until the guests are
dropped there; every showing goes through ``reveal()`` and leaves one audit row under the
person who sees it (the logged-in account if any, else the link's driver) and their device.
"Dropped" is taken only for the stop the driver is at: the first not yet dropped, on a trip
that has departed. Other stops show their area and time.
"""
from __future__ import annotations

import secrets
from datetime import timedelta
from functools import wraps
from urllib.parse import quote

import segno
from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404, HttpResponseNotFound
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nightstay.hubs import live
from nightstay.hubs.access import HubRequest, hub_role_required
from nightstay.hubs.models import Role
from nightstay.intake.models import Party
from nightstay.planning import events
from nightstay.planning.forms import MakeStayForm
from nightstay.planning.models import Placement, Stay, Stop, Trip
from nightstay.pledges.models import BedPledge
from nightstay.privacy.night_fields import seal_for
from nightstay.privacy.reveal import RevealRefused, reveal

from . import changes
from .models import RunSheetGrant

DEVICE_COOKIE = "nightstay_run_device"
UNDO_WINDOW = timedelta(seconds=10)  # how long "Departed", "Dropped", "They arrived" can be taken back (undo.py)


def undo_since():
    """Taps made after this moment may still be undone: what the pages and ``undo`` compare with."""
    return timezone.now() - UNDO_WINDOW


class Gone(Exception):
    """A run-sheet link that expired with the night, was revoked, or whose night was wiped."""


def _grant(token: str) -> RunSheetGrant:
    grant = (RunSheetGrant.objects.select_related("night__hub", "driver")
             .filter(token_hash=RunSheetGrant.hash(token)).first())
    if grant is None:
        if RunSheetGrant.was_issued(token):
            raise Gone  # purged with the night, or wiped by a panic
        raise Http404("no such run sheet")
    if not grant.is_live():
        raise Gone
    return grant


def _refusal(request, template: str, status: int):
    """A page instead of the sheet; an htmx tap reloads the page so the phone shows it too."""
    response = render(request, template, status=status)
    if request.htmx:
        response["HX-Refresh"] = "true"
    return response


def run_sheet_link(view):
    """Who may see a run-sheet page: whoever holds a live link, on the phone that opened it
    first. A dead link (expired, revoked, purged, wiped) answers 410, a forged one 404, a live
    one on another phone 403 (no address); the view gets the link's grant."""

    @wraps(view)
    def wrapper(request, token: str, **kwargs):
        request.private_page = True
        try:
            grant = _grant(token)
        except Gone:
            return _refusal(request, "dispatch/gone.html", 410)
        held = request.COOKIES.get(DEVICE_COOKIE, "")
        if _link_preview(request, held):
            return render(request, "dispatch/link_preview.html")  # binds nothing, shows nothing
        secret = held or secrets.token_urlsafe(32)
        fresh = not grant.device_hash
        if not grant.bind(secret):
            if _cross_site_visit(request, held):
                return render(request, "dispatch/opening.html", {"again": f"{request.path}?again=1"})
            return _refusal(request, "dispatch/other_phone.html", 403)
        request.run_device = grant.device_hash[:16]
        if fresh:  # the board's "opened" tick; this page shows the version it made
            grant.night.changed()
            grant.night.version += 1
        try:
            response = view(request, grant, token, **kwargs)
        except Http404:
            if held:
                raise
            response = HttpResponseNotFound(render_to_string("error.html", {"title": _("Not found")}))
            # this phone holds the link now: it must get its cookie, even on a 404
        if not held:
            response.set_cookie(DEVICE_COOKIE, secret, expires=grant.expires_at,
                                path=reverse("run_sheet", args=[token]),  # sent to this link's pages only
                                secure=request.is_secure(), httponly=True, samesite="Strict")
        return response

    return wrapper


PREVIEWERS = ("facebookexternalhit", "Facebot", "Twitterbot", "WhatsApp", "TelegramBot", "Slackbot", "Discordbot",
              "SkypeUriPreview", "LinkedInBot", "Iframely", "Embedly", "redditbot", "Mastodon", "Googlebot", "bingbot")


def _link_preview(request, held: str) -> bool:
    """A chat app or social site fetching the link to draw a preview of it (WhatsApp, iMessage,
    which asks as facebookexternalhit and Twitterbot, Telegram, Slack...) when a driver shares it
    from their page: that fetch must not take the link from the driver's phone. A fetcher that
    lies about what it is gets the same one-phone rule as anyone."""
    agent = request.headers.get("User-Agent", "")
    return request.method in ("GET", "HEAD") and not held and any(word in agent for word in PREVIEWERS)


def _cross_site_visit(request, held: str) -> bool:
    """A tap on the link from another site's page (a webmail): the browser keeps a SameSite=Strict
    cookie back on such a visit, so the page first reloads itself from this site, which sends it."""
    return (request.method == "GET" and not held and request.headers.get("Sec-Fetch-Site") == "cross-site"
            and "again" not in request.GET)


def _trips(grant: RunSheetGrant) -> list[Trip]:
    placements = Prefetch("placements", queryset=Placement.objects.select_related("party").order_by("party__ticket"))
    stops = Prefetch("stops", queryset=Stop.objects.select_related("home", "shelter").prefetch_related(placements))
    return list(Trip.objects.filter(night=grant.night, driver=grant.driver).order_by("seq").prefetch_related(stops))


def _next_stop(trips: list[Trip]) -> Stop | None:
    """The first stop not yet dropped, in the order of the trips and their stops."""
    return next((s for t in trips for s in t.stops.all() if s.dropped_at is None), None)


def _at_stop(trips: list[Trip]) -> Stop | None:
    """The stop the driver is at: the next one, once its trip has departed."""
    nxt = _next_stop(trips)
    return nxt if nxt is not None and nxt.trip.departed_at is not None else None


@run_sheet_link
def run_sheet(request, grant: RunSheetGrant, token: str):
    return _sheet(request, grant, token)


def _viewer(request, grant: RunSheetGrant):
    """Who the audit names: the person logged in on this phone, else the driver whose link it is."""
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else grant.driver


def _sheet(request, grant: RunSheetGrant, token: str):
    """The sheet as it stands: the next stop's address (revealed, audited), the rest by area.

    A live poll (``?since=``) gets an empty 204 while the night did not change. When it did,
    the address the phone already shows (``shown`` names its place, which outlives the stop
    rows a new announcement writes) is neither revealed nor counted again: the page keeps it."""
    if answer := live.unchanged(request, grant.night):
        return answer
    trips = _trips(grant)
    nxt = _next_stop(trips)
    address, refused, geo = "", False, ""
    shown = (f"h{nxt.home_id}" if nxt.home_id else f"s{nxt.shelter_id}") if nxt is not None else ""
    kept = request.method == "GET" and bool(shown) and request.GET.get("shown") == shown
    if nxt is not None and nxt.home is not None and not kept:
        viewer = _viewer(request, grant)
        try:
            address = reveal(nxt.home, "address", user=viewer, hub=grant.night.hub, purpose="run sheet",
                             device=request.run_device, link_of=grant.driver if viewer != grant.driver else None)
        except RevealRefused:
            refused = True
    if nxt is not None:
        where = nxt.home or nxt.shelter
        text = address if nxt.home else nxt.shelter.name
        geo = map_link(where.lat, where.lon, text, request.headers.get("User-Agent", ""))
    seen = changes.remember(grant.seen, changes.sheet_outline(trips), changes.sheet_changes)
    if seen != grant.seen:
        RunSheetGrant.objects.filter(pk=grant.pk).update(seen=seal_for(grant, "seen", seen))
    ctx = {"grant": grant, "trips": trips, "next": nxt, "address": address, "refused": refused, "geo": geo,
           "token": token, "kept": kept, "note": seen["note"], "undo_since": undo_since(),
           "shown": shown if (address or kept or (nxt is not None and nxt.home is None)) else "",
           "late_steps": events.LATE_STEPS,
           "late": events.late_minutes(grant.night, grant.driver,
                                       max((t.departed_at for t in trips if t.departed_at), default=None))}
    template = "dispatch/_run_sheet.html" if request.htmx else "dispatch/run_sheet.html"
    return render(request, template, ctx)


APPLE = ("iPhone", "iPad", "iPod", "Macintosh")  # an iPad asks as a Mac since iPadOS 13


def map_link(lat, lon, text: str, user_agent: str) -> str:
    """A link that opens the phone's own map app at the stop, and sends nothing anywhere from
    this page: ``geo:`` (Android, and any app that claims it) or, on Apple devices, which ignore
    ``geo:``, Apple Maps' own ``maps:`` scheme. Not an https link to a maps site: that would be
    a page of another origin holding the address in its URL, logged by its server, and on
    Android it opens a browser tab rather than the app. The user agent only chooses the scheme;
    a wrong guess costs a dead link, never a leak."""
    if any(word in user_agent for word in APPLE):
        return f"maps://?ll={lat},{lon}" + (f"&q={quote(text)}" if text else "")
    return f"geo:{lat},{lon}" + (f"?q={quote(text)}" if text else "")


def _marked(request, grant: RunSheetGrant, token: str):
    """After a tap: the sheet in place (htmx) or back to it."""
    return _sheet(request, grant, token) if request.htmx else redirect("run_sheet", token=token)


@require_POST
@run_sheet_link
def departed(request, grant: RunSheetGrant, token: str, trip: str):
    trip = get_object_or_404(Trip, pk=trip, night=grant.night, driver=grant.driver)
    if trip.departed_at is None:
        try:
            events.depart(trip, by=grant.driver)
        except events.NightClosed:
            return _refusal(request, "dispatch/gone.html", 410)
    return _marked(request, grant, token)


@require_POST
@run_sheet_link
def late(request, grant: RunSheetGrant, token: str):
    """One tap: "running late +10, +20 or +30 minutes"; the next plan counts it."""
    try:
        events.driver_late(grant.night, grant.driver, int(request.POST.get("minutes", "")), by=grant.driver)
    except ValueError:
        return _refusal(request, "dispatch/not_this_stop.html", 409)
    except events.NightClosed:
        return _refusal(request, "dispatch/gone.html", 410)
    return _marked(request, grant, token)


@require_POST
@run_sheet_link
def dropped(request, grant: RunSheetGrant, token: str, stop: str):
    """Only the stop the driver is at, after "Departed": a tap anywhere else is refused (409) and
    reveals nothing new; a second tap on a stop already dropped changes nothing."""
    stop = get_object_or_404(Stop, pk=stop, trip__night=grant.night, trip__driver=grant.driver)
    if stop.dropped_at is None:
        at = _at_stop(_trips(grant))
        if at is None or at.pk != stop.pk:
            return _refusal(request, "dispatch/not_this_stop.html", 409)
        try:
            events.drop(stop, by=grant.driver)
        except events.NightClosed:
            return _refusal(request, "dispatch/gone.html", 410)
    return _marked(request, grant, token)


@hub_role_required(Role.HOST)
def host_tonight(request: HubRequest):
    """Who is coming to my home tonight, when, with whom; and who to collect at the park."""
    night = request.hub.tonight()
    placements = (Placement.objects.filter(night=night, announced=True, home__host=request.user,
                                           home__hub=request.hub)
                  .select_related("party", "home", "stop__trip__driver", "stay").order_by("arrive", "party__ticket"))
    self_pickup = {p.home_id: p for p in BedPledge.objects.filter(home__host=request.user, home__hub=request.hub,
                                                                  pickup="self") if p.is_open_on(night.date)}
    if answer := live.unchanged(request, night):
        return answer
    for p in placements:
        p.pickup = self_pickup.get(p.home_id)
    key = f"host-notice-{night.pk}"  # what this phone last showed, to say what changed
    seen = changes.remember(request.session.get(key), changes.notice_outline(placements), changes.notice_changes)
    if request.session.get(key) != seen:
        request.session[key] = seen
    ahead = Stay.objects.filter(home__host=request.user, hub=request.hub, first_night__gt=night.date)
    ctx = {"night": night, "placements": placements, "self_pickup": self_pickup, "note": seen["note"],
           "undo_since": undo_since(), "stays_ahead": ahead, "make_stay_form": MakeStayForm()}
    return render(request, "dispatch/host_tonight.html", ctx)


@hub_role_required(Role.HOST)
@require_POST
def host_arrived(request: HubRequest, placement: str):
    night = request.hub.tonight()
    placement = get_object_or_404(Placement.objects.exclude(party__status=Party.Status.STAYING), pk=placement,
                                  night=night, announced=True, home__host=request.user)  # a stay's guest comes on their own
    if placement.arrived_at is None:
        placement.arrived_at = timezone.now()
        placement.save(update_fields=["arrived_at"])
        Party.objects.filter(pk=placement.party_id).update(status=Party.Status.ARRIVED)
        night.changed()
    return redirect("host_tonight", hub=request.hub.slug)


@hub_role_required(Role.DRIVER)
def driver_tonight(request: HubRequest):
    night = request.hub.tonight()
    grant = RunSheetGrant.objects.filter(night=night, driver=request.user, revoked_at__isnull=True,
                                         expires_at__gt=timezone.now()).first()
    ctx = {"night": night, "grant": grant}
    if grant is not None and not grant.opened_at:  # to scan or share from this page to the phone
        request.private_page = True
        ctx["url"] = settings.SITE_ROOT.rstrip("/") + reverse("run_sheet", args=[grant.token()])
        ctx["qr"] = segno.make(ctx["url"], error="m").svg_inline(scale=4, dark="#000", light="#fff")
    return render(request, "dispatch/driver_tonight.html", ctx)
