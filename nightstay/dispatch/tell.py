"""Hosts and drivers told of the announced plan, of each re-plan that changes their part, and
of where their run sheet is.

After the first "Announce" each host with guests gets one message: how many, around when,
with which driver ("2 guests arriving around 22:40 with Dara"), and a link to their own
notice page. A re-plan is applied by announcing again: then only the hosts whose notice
differs from what they were last told, and the drivers whose run sheet differs from what
their phone last showed (``RunSheetGrant.seen``), are told "your plan changed", with the
link. What a host was told is kept as a hash on the message row (its ``about``), so moves
made on the board between two announcements are counted too.

A message never holds an address, a guest's nickname or a ticket: the counts, times and a
driver's first name are all it says; the page behind its link (logged in) shows the rest.
"""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from nightstay.accounts.models import User
from nightstay.hubs.models import Night
from nightstay.messaging import outbox
from nightstay.messaging.models import Message
from nightstay.planning.models import Placement, Stop, Trip

from . import changes
from .models import RunSheetGrant
from .names import told_apart

HOST_TEMPLATES = ("host_tonight", "plan_changed")


def after_announce(night: Night) -> int:
    """Queue what an announcement tells: each host whose notice differs from what they were last
    told (the first time: every host with guests), each driver whose run sheet differs from what
    their phone last showed. How many messages were queued."""
    placements = list(_placements(night))
    names = told_apart(tonights_drivers(night))
    by_host = defaultdict(list)
    for p in placements:
        by_host[p.home.host_id].append(p)
    last = {}
    for m in Message.objects.filter(night=night, template__in=HOST_TEMPLATES, about__startswith="h").order_by(
            "created_at"):
        last[m.recipient_id] = m.about
    hosts = {u.pk: u for u in User.objects.filter(pk__in=set(by_host) | set(last))}
    queued = 0
    for host_id, host in hosts.items():
        mine = by_host.get(host_id, [])
        digest = _digest("h", [(p.party.ticket, p.party.size, _hhmm(p.arrive), str(_driver_of(p))) for p in mine])
        if last.get(host_id) != digest:
            _tell_host(host, night, "plan_changed" if host_id in last else "host_tonight", mine, names, digest)
            queued += 1
    return queued + _tell_drivers(night)


def _tell_drivers(night: Night) -> int:
    """Drivers whose phone showed a run sheet that the announcement changed (once per change)."""
    grants = RunSheetGrant.objects.filter(night=night, revoked_at__isnull=True, seen__isnull=False).select_related(
        "driver")
    told = {}
    for m in Message.objects.filter(night=night, template="plan_changed", about__startswith="d",
                                    recipient__in=[g.driver_id for g in grants]).order_by("created_at"):
        told[m.recipient_id] = m.about
    queued = 0
    for grant in grants:
        outline = changes.sheet_outline(_trips(night, grant.driver_id))
        digest = _digest("d", outline)
        if (grant.seen or {}).get("outline") not in (None, outline) and told.get(grant.driver_id) != digest:
            outbox.queue(grant.driver, night, "plan_changed", {"link": driver_page(night), "driver": True,
                                                               "trips": len(outline["departs"])}, about=digest)
            queued += 1
    return queued


def _trips(night: Night, driver_id) -> list[Trip]:
    placements = Prefetch("placements", queryset=Placement.objects.select_related("party"))
    stops = Prefetch("stops", queryset=Stop.objects.select_related("home", "shelter").prefetch_related(placements))
    return list(Trip.objects.filter(night=night, driver_id=driver_id).order_by("seq").prefetch_related(stops))


def _digest(kind: str, outline) -> str:
    """What a message told a host ("h") or driver ("d"), as a hash kept in its row's ``about``."""
    return kind + hashlib.sha256(json.dumps(outline, sort_keys=True).encode()).hexdigest()[:63]


def _tell_host(host, night: Night, template: str, placements: list[Placement], names: dict, digest: str) -> None:
    """One message: per arrival time and driver, how many guests (never who)."""
    groups: dict[tuple, int] = defaultdict(int)
    for p in placements:
        driver = _driver_of(p)
        groups[(_hhmm(p.arrive), names.get(driver, "") if driver else "")] += p.party.size
    arrivals = [{"n": n, "at": at, "driver": name} for (at, name), n in sorted(groups.items())]
    outbox.queue(host, night, template, {"arrivals": arrivals, "link": host_page(night), "driver": False},
                 about=digest)


def send_link(grant: RunSheetGrant, renewed: bool = False) -> Message:
    """Queue one message telling ``grant``'s driver where their run sheet is."""
    names = told_apart(tonights_drivers(grant.night))
    name = names.get(grant.driver_id, grant.driver.first_name)
    return outbox.queue(grant.driver, grant.night, "run_sheet",
                        {"link": driver_page(grant.night), "renewed": renewed,
                         "board_name": name if name != grant.driver.first_name else ""},
                        about=str(grant.pk))


def was_sent(grant: RunSheetGrant) -> bool:
    return Message.objects.filter(night=grant.night, template="run_sheet", about=str(grant.pk)).exists()


def tonights_drivers(night: Night) -> list:
    """Tonight's drivers: those with a trip or a run-sheet link."""
    seen = {}
    for t in Trip.objects.filter(night=night).select_related("driver"):
        seen[t.driver_id] = t.driver
    for g in RunSheetGrant.objects.filter(night=night).select_related("driver"):
        seen.setdefault(g.driver_id, g.driver)
    return list(seen.values())


def host_page(night: Night) -> str:
    return outbox.absolute(reverse("host_tonight", args=[night.hub.slug]))


def driver_page(night: Night) -> str:
    return outbox.absolute(reverse("driver_tonight", args=[night.hub.slug]))


def _placements(night: Night):
    return (Placement.objects.filter(night=night, announced=True, home__isnull=False)
            .select_related("party", "home__host", "stop__trip").order_by("arrive", "party__ticket"))


def _driver_of(p: Placement):
    return p.stop.trip.driver_id if p.stop_id else None


def _hhmm(moment) -> str:
    return timezone.localtime(moment).strftime("%H:%M") if moment else ""
