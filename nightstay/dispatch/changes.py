"""What changed on a run sheet or a host notice since its reader last saw it, in words.

A driver glancing at a phone at a red light, or a host at the door, must not have to compare
two lists from memory: the page says "changed at 22:31: a new stop at Ixelles". What a
reader last saw is kept as a small outline (times, areas, ticket codes; never an address):
on the run-sheet link for a driver's phone, in the session for a host's.
"""
from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from nightstay.planning.models import Placement, Trip


def sheet_outline(trips: list[Trip]) -> dict:
    """A run sheet as its driver reads it: each stop's place (by area), time and guests."""
    stops = {}
    for t in trips:
        for s in t.stops.all():
            key = f"h{s.home_id}" if s.home_id else f"s{s.shelter_id}"
            stops[key] = {"where": s.home.area if s.home_id else s.shelter.name, "at": _hhmm(s.arrive),
                          "who": sorted(p.party.ticket for p in s.placements.all())}
    return {"departs": [_hhmm(t.depart) for t in trips], "stops": stops}


def notice_outline(placements: list[Placement]) -> dict:
    """A host notice as its host reads it: who comes, how many, around when."""
    return {p.party.ticket: {"size": p.party.size, "at": _hhmm(p.arrive)} for p in placements}


def sheet_changes(before: dict, after: dict) -> list[str]:
    old, new = before.get("stops", {}), after.get("stops", {})
    words = [_("a new stop at %(where)s") % new[k] for k in new if k not in old]
    words += [_("no more stop at %(where)s") % old[k] for k in old if k not in new]
    for k in new.keys() & old.keys():
        if new[k]["at"] != old[k]["at"]:
            words.append(_("%(where)s now at %(at)s") % new[k])
        came = [t for t in new[k]["who"] if t not in old[k]["who"]]
        gone = [t for t in old[k]["who"] if t not in new[k]["who"]]
        if came:
            words.append(_("%(who)s added at %(where)s") % {"who": " ".join(came), "where": new[k]["where"]})
        if gone:
            words.append(_("%(who)s no longer at %(where)s") % {"who": " ".join(gone), "where": new[k]["where"]})
    if not words and before.get("departs") != after.get("departs"):
        words.append(_("new departure times"))
    return words


def notice_changes(before: dict, after: dict) -> list[str]:
    words = [_("%(ticket)s is coming") % {"ticket": t} for t in after if t not in before]
    words += [_("%(ticket)s is no longer coming") % {"ticket": t} for t in before if t not in after]
    words += [_("%(ticket)s now arrives around %(at)s") % {"ticket": t, "at": after[t]["at"]}
              for t in after.keys() & before.keys() if after[t]["at"] != before[t]["at"]]
    return words


def remember(seen: dict | None, outline: dict, describe) -> dict:
    """What to keep for the next visit: this outline, and the last change found (with its time),
    which stays on the page until the next change."""
    seen = seen or {}
    note = seen.get("note", "")
    if "outline" in seen and seen["outline"] != outline:
        words = describe(seen["outline"], outline)
        if words:
            note = _("changed at %(time)s: %(what)s") % {"time": _hhmm(timezone.now()), "what": "; ".join(words)}
    return {"outline": outline, "note": note}


def _hhmm(moment) -> str:
    return timezone.localtime(moment).strftime("%H:%M") if moment else ""
