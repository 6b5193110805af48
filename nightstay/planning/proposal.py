"""A plan document made readable for the board: who goes where, in which car, when.

Ids become what a coordinator knows: a driver's first name, a host's first name and area,
a shelter's name. Nothing here reveals an address. The planner's problems (a code and its
values) are said in the coordinator's language from ``WORDS``, never read back from English.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.template.defaultfilters import time as clock
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nightstay.intake.models import Party
from nightstay.planner import Violation, read_night

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
    drivers: dict[str, str] = field(default_factory=dict)  # night file id -> first name

    def choices(self) -> list[tuple[str, str]]:
        return [(p.id, f"{p.label} ({p.used}/{p.beds})") for p in self.places]

    @property
    def tickets(self) -> list[str]:
        return [g.ticket for p in self.places for g in p.guests] + [g.ticket for g in self.unplaced]

    def place_of(self, ticket: str) -> Place | None:
        return next((p for p in self.places if any(g.ticket == ticket for g in p.guests)), None)

    def guest(self, ticket: str) -> Guest | None:
        return next((g for g in (*self.unplaced, *(g for p in self.places for g in p.guests)) if g.ticket == ticket),
                    None)

    def places_for(self, ticket: str) -> list[Place]:
        """Where a coordinator may move ``ticket``'s party with one more tap: the places whose own
        rules take it (the planner's ``Place.fits``) and whose free beds hold it, the emptiest
        first. Cars and times are judged when the move is made, as for any move."""
        night = read_night(self.run.night_json)
        party, rules, here = night.party_by_id.get(ticket), night.places, self.place_of(ticket)
        if party is None:
            return []
        fit = [p for p in self.places if p is not here and rules[p.id].fits(party) and p.used + party.size <= p.beds]
        return sorted(fit, key=lambda p: p.used - p.beds)

    def parties_for(self, place_id: str) -> list[Guest]:
        """Who could go to ``place_id``: the parties not there that its rules take and its free
        beds hold, those without a place first, then the most vulnerable."""
        night = read_night(self.run.night_json)
        place = next((p for p in self.places if p.id == place_id), None)
        rule, parties = night.places.get(place_id), night.party_by_id
        if place is None or rule is None:
            return []
        free = place.beds - place.used
        elsewhere = [g for p in self.places if p is not place for g in p.guests]
        fit = [g for g in (*self.unplaced, *elsewhere) if g.size <= free and rule.fits(parties[g.ticket])]
        unplaced = {g.ticket for g in self.unplaced}
        return sorted(fit, key=lambda g: (g.ticket not in unplaced, not g.vulnerable))

    def readable(self, refused: Exception) -> str:
        """Why an action was refused, in the coordinator's words: the first of the planner's
        problems it carries (the one the coordinator can act on), or its own message."""
        problems = getattr(refused, "problems", ())
        return self.say(problems[0]) if problems else str(refused)

    def say(self, problem: Violation) -> str:
        """``problem`` in the active language, with places, drivers and times as the board shows them."""
        labels = {p.id: p.label for p in self.places}
        values = {}
        for key, value in problem.values.items():
            if isinstance(value, datetime):
                value = clock(value, "H:i")
            elif key in ("place", "placed"):
                value = labels.get(value, value) if value is not None else _("no place")
            elif key == "driver":
                value = self.drivers.get(value, value)
            values[key] = value
        if problem.code == "gender_refused":
            values["who"] = Party.Gender(problem.values["gender"]).label
        words = str(WORDS[problem.code]) % values
        if problem.code in AT_A_PLACE:
            return _("party %(party)s at %(place)s: %(why)s") % {**values, "why": words}
        return words


# The planner's problems that a place's rules raise: said after the party and the place.
AT_A_PLACE = ("gender_refused", "minors_refused", "party_too_big", "no_common_language")
_MALFORMED = gettext_lazy("the plan document is broken at %(path)s")

# problem code -> the board's words (``nightstay.planner.MESSAGES`` has the English of every code)
WORDS = {
    "gender_refused": gettext_lazy("takes no %(who)s"),
    "minors_refused": gettext_lazy("takes no minors"),
    "party_too_big": gettext_lazy("takes groups of %(most)s at most"),
    "no_common_language": gettext_lazy("no common language"),
    "over_capacity": gettext_lazy("%(place)s: %(n)s people for %(beds)s beds"),
    "mixed_host": gettext_lazy("%(place)s: men and women or families at the same host"),
    "fixed_not_kept": gettext_lazy("party %(party)s is kept at %(place)s but the plan moves it"),
    "placed_twice": gettext_lazy("party %(party)s is placed twice"),
    "placed_and_unplaced": gettext_lazy("party %(party)s is both placed and left out"),
    "unplaced_twice": gettext_lazy("party %(party)s is left out twice"),
    "party_forgotten": gettext_lazy("party %(party)s is neither placed nor left out"),
    "not_dropped": gettext_lazy("no driver takes party %(party)s to %(place)s"),
    "dropped_elsewhere": gettext_lazy("party %(party)s is driven to %(place)s but placed at %(placed)s"),
    "dropped_twice": gettext_lazy("party %(party)s is driven twice"),
    "early_arrival": gettext_lazy("party %(party)s cannot reach %(place)s before %(earliest)s"),
    "late_arrival": gettext_lazy("party %(party)s reaches %(place)s at %(at)s, after %(latest)s"),
    "arrive_differs": gettext_lazy("party %(party)s: its arrival differs from its driver's"),
    "stop_early": gettext_lazy("%(driver)s cannot reach %(place)s before %(earliest)s"),
    "stop_late": gettext_lazy("%(driver)s reaches %(place)s at %(at)s, after %(latest)s"),
    "departs_too_early": gettext_lazy("%(driver)s cannot leave before %(earliest)s"),
    "ends_too_early": gettext_lazy("%(driver)s cannot be back before %(earliest)s"),
    "driver_late": gettext_lazy("%(driver)s is busy until %(at)s, available until %(latest)s"),
    "calendar_overflow": _MALFORMED,
    "over_seats": gettext_lazy("%(driver)s: %(n)s people for %(seats)s seats"),
    "driver_went_home": gettext_lazy("%(driver)s has already gone home"),
    "unknown_driver": _MALFORMED,
    "not_a_car_place": _MALFORMED,
    "no_such_party": gettext_lazy("this party is no longer waiting"),
    "no_such_place": gettext_lazy("this place offers nothing tonight"),
    "no_driver": gettext_lazy("no driver can take them there in time"),
    "plan_not_an_object": _MALFORMED,
    "wrong_format": _MALFORMED,
    "missing": _MALFORMED,
    "not_a_list": _MALFORMED,
    "not_an_object": _MALFORMED,
    "not_a_party_list": _MALFORMED,
    "unknown_party": _MALFORMED,
    "unknown_place": _MALFORMED,
    "not_a_time": _MALFORMED,
    "no_utc_offset": _MALFORMED,
    "year_out_of_range": _MALFORMED,
    "bad_end": _MALFORMED,
    "summary_not_a_number": _MALFORMED,
    "summary_untrue": _MALFORMED,
    "summary_time_untrue": _MALFORMED,
}


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
                    plan.get("summary", {}), drivers)
