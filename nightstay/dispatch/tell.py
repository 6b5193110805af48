"""Hosts and drivers told of the announced plan and of each re-plan that changes their part.

After the first "Announce" each host with guests gets one message: how many, around when,
with which driver ("2 guests arriving around 22:40 with Dara"), and a link to their own
notice page. A re-plan is applied by announcing again: then only the hosts whose notice and
the drivers whose run sheet it changed are told "your plan changed", with the same link.

A message never holds an address, a guest's nickname or a ticket: the counts, times and a
driver's first name are all it says; the page behind its link (logged in) shows the rest.
What is compared (``snapshot``) does hold ticket codes, so that a guest swapped for another
of the same size is still a change; it lives in memory for one request only.
"""
from __future__ import annotations

from collections import defaultdict

from django.urls import reverse
from django.utils import timezone

from nightstay.accounts.models import User
from nightstay.hubs.models import Night
from nightstay.messaging import outbox
from nightstay.messaging.models import Message
from nightstay.planning.models import Placement, Trip

from .models import RunSheetGrant
from .names import told_apart


def snapshot(night: Night) -> dict:
    """Each host's notice and each driver's run sheet as they stand, to compare after an announcement."""
    hosts = defaultdict(list)
    for p in _placements(night):
        hosts[p.home.host_id].append((p.party.ticket, p.party.size, _hhmm(p.arrive), _driver_of(p)))
    drivers = defaultdict(list)
    for t in Trip.objects.filter(night=night).prefetch_related("stops__placements__party").order_by("depart"):
        stops = [(s.home_id or f"s{s.shelter_id}", _hhmm(s.arrive), sorted(p.party.ticket for p in s.placements.all()))
                 for s in t.stops.order_by("order")]
        drivers[t.driver_id].append((_hhmm(t.depart), t.end, stops))
    return {"announced": night.status == Night.Status.ANNOUNCED,
            "hosts": {k: sorted(v) for k, v in hosts.items()}, "drivers": dict(drivers)}


def after_announce(night: Night, before: dict) -> int:
    """Queue what the announcement tells: every host with guests the first time; afterwards
    only the hosts and drivers whose part changed. How many messages were queued."""
    after = snapshot(night)
    placements = list(_placements(night))
    names = told_apart(t.driver for t in Trip.objects.filter(night=night).select_related("driver"))
    by_host = defaultdict(list)
    for p in placements:
        by_host[p.home.host_id].append(p)
    hosts = {p.home.host_id: p.home.host for p in placements}
    queued = 0
    if not before["announced"]:
        for host_id, mine in by_host.items():
            _tell_host(hosts[host_id], night, "host_tonight", mine, names)
            queued += 1
        return queued
    changed_hosts = {h for h in set(before["hosts"]) | set(after["hosts"])
                     if before["hosts"].get(h) != after["hosts"].get(h)}
    if changed_hosts - set(hosts):  # hosts who lost every guest
        hosts.update({u.pk: u for u in User.objects.filter(pk__in=changed_hosts - set(hosts))})
    for host_id in changed_hosts:
        _tell_host(hosts[host_id], night, "plan_changed", by_host.get(host_id, []), names)
        queued += 1
    changed_drivers = {d for d in set(before["drivers"]) | set(after["drivers"])
                       if before["drivers"].get(d) != after["drivers"].get(d)}
    for driver in User.objects.filter(pk__in=changed_drivers):
        outbox.queue(driver, night, "plan_changed", {"link": driver_page(night), "driver": True,
                                                     "trips": len(after["drivers"].get(driver.pk, []))})
        queued += 1
    return queued


def _tell_host(host, night: Night, template: str, placements: list[Placement], names: dict) -> None:
    """One message: per arrival time and driver, how many guests (never who)."""
    groups: dict[tuple, int] = defaultdict(int)
    for p in placements:
        driver = p.stop.trip.driver_id if p.stop_id else None
        groups[(_hhmm(p.arrive), names.get(driver, "") if driver else "")] += p.party.size
    arrivals = [{"n": n, "at": at, "driver": name} for (at, name), n in sorted(groups.items())]
    outbox.queue(host, night, template, {"arrivals": arrivals, "link": host_page(night), "driver": False})


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
