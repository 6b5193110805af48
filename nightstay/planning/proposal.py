"""A plan document made readable for the board: who goes where, in which car, when.

Ids become what a coordinator knows: a driver's first name, a host's first name and area,
a shelter's name. Nothing here reveals an address.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from nightstay.intake.models import Party

from . import nightfile
from .models import Placement, PlanRun


@dataclass
class Guest:
    ticket: str
    size: int
    gender: str
    vulnerable: bool
    languages: list[str]
    pinned: bool = False
    arrive: datetime | None = None

    @property
    def gender_label(self) -> str:
        """What the intake form called it ("men", "family / mixed"), not the night file's code."""
        return Party.Gender(self.gender).label


@dataclass
class Place:
    id: str
    label: str
    beds: int
    how: str  # walk, self, car
    guests: list[Guest] = field(default_factory=list)

    @property
    def used(self) -> int:
        return sum(g.size for g in self.guests)


@dataclass
class StopView:
    label: str
    arrive: datetime
    tickets: list[str]


@dataclass
class TripView:
    driver: str
    depart: datetime
    stops: list[StopView]
    end: str


@dataclass
class Proposal:
    run: PlanRun
    unplaced: list[Guest]
    trips: list[TripView]
    places: list[Place]
    summary: dict

    def choices(self) -> list[tuple[str, str]]:
        return [(p.id, f"{p.label} ({p.used}/{p.beds})") for p in self.places]

    @property
    def tickets(self) -> list[str]:
        return [g.ticket for p in self.places for g in p.guests] + [g.ticket for g in self.unplaced]

    def readable(self, message: str) -> str:
        """A checker's message with ids replaced by what the coordinator calls the place, and the
        commonest refusals said in words ("takes no women", not "does not accept gender f")."""
        for p in self.places:
            message = message.replace(p.id, p.label)
        return _REASON.sub(_reason_in_words, message)


_REASON = re.compile(r"does not accept gender (?P<gender>mixed|m|f)\b|does not accept minors"
                     r"|max_party (?P<most>\d+) < size \d+|no common language")


def _reason_in_words(found: re.Match) -> str:
    if found["gender"]:
        return _("takes no %(who)s") % {"who": Party.Gender(found["gender"]).label}
    if found["most"]:
        return _("takes groups of %(n)s at most") % {"n": found["most"]}
    if found[0] == "does not accept minors":
        return _("takes no minors")
    return _("no common language")


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def build(run: PlanRun, ids: nightfile.Ids | None = None) -> Proposal:
    doc, plan = run.night_json, run.plan_json
    ids = ids or nightfile.rows(run.night, doc)
    pinned = set(Placement.objects.filter(night_id=run.night_id, pinned=True).values_list("party__ticket", flat=True))
    guests = {p["id"]: Guest(p["id"], p["size"], p["gender"], p["vulnerable"], p["languages"], p["id"] in pinned)
              for p in doc["parties"]}
    places = {}
    for s in doc["shelters"]:
        places[s["id"]] = Place(s["id"], s["name"], s["beds"], "car" if s["reach"] == "drive" else "walk")
    for h in doc["hosts"]:
        home = ids.homes.get(h["id"])
        name = f"{home.host.first_name} · {home.area}" if home else h["id"]
        places[h["id"]] = Place(h["id"], name, h["beds"], "car" if h["pickup"] == "driver" else "self")
    for p in plan["placements"]:
        guest = guests[p["party"]]
        guest.arrive = _at(p["arrive"])
        places[p["place"]].guests.append(guest)
    drivers = {d: pledge.driver.first_name for d, pledge in ids.drivers.items()}
    trips = [
        TripView(drivers.get(t["driver"], t["driver"]), _at(t["depart"]),
                 [StopView(places[s["place"]].label, _at(s["arrive"]), s["parties"]) for s in t["stops"]], t["end"])
        for t in plan["trips"]
    ]
    return Proposal(run, [guests[t] for t in plan["unplaced"]], sorted(trips, key=lambda t: t.depart),
                    [p for p in places.values() if p.guests] + [p for p in places.values() if not p.guests],
                    plan.get("summary", {}))
