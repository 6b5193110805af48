"""A new proposal against what was announced: who moves, whose run sheet and host notice change.

Once a night is announced, every change reaches a person in the dark (a host told to expect
someone else, a guest told a new place, a driver's sheet rewritten), so the board shows a
re-plan as exactly that difference before the coordinator applies it with "Announce". The
same difference is what the rehearsal checks: every announced party is kept, or shown here.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from nightstay.hubs.models import Night

from . import nightfile
from .models import Placement, PlanRun, Trip


@dataclass
class Move:
    ticket: str
    size: int
    before: str  # a place id of the night file, or "" (not announced, or announced at a place now out)
    after: str  # a place id, or "" (left without a place)
    before_label: str = ""
    after_label: str = ""


@dataclass
class Changes:
    moves: list[Move] = field(default_factory=list)
    drivers: list[str] = field(default_factory=list)  # first names of drivers whose run sheet changes
    hosts: list[str] = field(default_factory=list)  # "first name · area" of hosts whose notice changes
    kept: int = 0  # announced placements the proposal keeps

    @property
    def changed(self) -> int:
        """Announced placements not kept (the format's ``announced_changed``, counted on the rows)."""
        return sum(1 for m in self.moves if m.before)


def announced_places(night: Night) -> dict[str, tuple[str, int, str]]:
    """ticket -> (place id, size, label) of the announced placements of parties still in the park."""
    rows = (Placement.objects.filter(night=night, announced=True, party__status__in=nightfile.IN_THE_PARK)
            .select_related("party", "home__host", "shelter"))
    return {r.party.ticket: (nightfile.place_id(r), r.party.size,
                             f"{r.home.host.first_name} · {r.home.area}" if r.home_id else r.shelter.name)
            for r in rows}


def _sheets_now(night: Night) -> dict[int, set]:
    """Each driver's trips still to leave, as (place ids, tickets) per stop."""
    sheets: dict[int, set] = {}
    placements = Prefetch("stops__placements", queryset=Placement.objects.select_related("party"))
    trips = Trip.objects.filter(night=night, departed_at__isnull=True).prefetch_related("stops", placements)
    for trip in trips:
        for stop in trip.stops.all():
            where = nightfile.place_id(stop)
            tickets = tuple(sorted(p.party.ticket for p in stop.placements.all()))
            sheets.setdefault(trip.driver_id, set()).add((where, tickets))
    return sheets


def between(night: Night, run: PlanRun, ids: nightfile.Ids | None = None) -> Changes:
    """What announcing ``run``'s plan would change of the night's announced dispatch (``ids``: the
    rows behind its night file, when the caller read them already)."""
    plan, doc = run.plan_json, run.night_json
    ids = ids or nightfile.rows(night, doc)
    before = announced_places(night)
    after = {p["party"]: p["place"] for p in plan["placements"]}
    sizes = {p["id"]: p["size"] for p in doc["parties"]}
    out = Changes()
    hosts = set()
    for ticket in sorted(set(before) | set(after)):
        if ticket not in sizes:
            continue  # left the park since: the event says so
        was, size, was_label = before.get(ticket, ("", sizes[ticket], ""))
        now = after.get(ticket, "")
        if was == now:
            out.kept += 1
            continue
        out.moves.append(Move(ticket, size, was, now, was_label, _label(ids, now)))
        hosts.update(label for place, label in ((was, was_label), (now, _label(ids, now))) if place.startswith("H-"))
    out.hosts = sorted(hosts)

    planned: dict[int, set] = {}
    for t in plan["trips"]:
        pledge = ids.drivers.get(t["driver"])
        if pledge is not None:
            for s in t["stops"]:
                planned.setdefault(pledge.driver_id, set()).add((s["place"], tuple(sorted(s["parties"]))))
    now_sheets = _sheets_now(night)
    names = {p.driver_id: p.driver.first_name for p in ids.drivers.values()}
    for driver in set(planned) | set(now_sheets):
        if planned.get(driver, set()) != now_sheets.get(driver, set()):
            out.drivers.append(names.get(driver) or _first_name(night, driver))
    out.drivers.sort()
    return out


def _label(ids: nightfile.Ids, place: str) -> str:
    if not place:
        return ""
    home = ids.homes.get(place)
    if home is not None:
        return f"{home.host.first_name} · {home.area}"
    shelter = ids.shelters.get(place)
    return shelter.name if shelter is not None else place


def _first_name(night: Night, driver_pk) -> str:
    trip = night.trips.select_related("driver").filter(driver_id=driver_pk).first()
    return trip.driver.first_name if trip else "?"
