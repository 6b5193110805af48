"""Read and validate a nightstay.night/1 document into ``night.Night``.

A night file is typed by a coordinator or exported by another hub at nine in the evening;
when it is wrong, whoever fixes it needs every problem at once, each on one line that names
where it is (``parties[3].gender: must be one of m, f, mixed``), not a traceback and not
one problem per attempt. So the reader never stops at the first problem: it reads on,
collects them all, and raises one ``NightError`` holding the list.

Optional keys are those NIGHT-FORMAT.md says are optional or its reference checker gives a
default: ``fixed``, ``nights_outside``, ``languages``, ``returning_to``, ``welcomes_back``,
the ``shelters``, ``hosts`` and ``drivers`` lists, a place's ``accepts`` (and each of its
keys), a shelter's ``name``, the travel ``model`` (``haversine``) and the hub's ``name``.
A party's ``minor`` and ``vulnerable`` and a shelter's ``reach`` are required even though
the reference checker would default them: a forgotten flag must not quietly put a child or a
woman alone at the back of the queue, nor send people walking to a shelter meant by car.
Keys the format does not know are ignored, so a newer exporter does not break an older hub.

Every number is range-checked against bounds no real night comes near (``MAX_*`` below), and
a night is refused whole, in one line, above a declared size (``MAX_BYTES``, and per list
``MAX_COUNTS``): a typo (10^400 seats, a number of 5,000 digits) or a file from a broken
exporter must cost the coordinator a line to read, not a traceback or the machine's memory.

Fixed placements that no plan can keep (a host too small for them, men and women fixed at one
host, a place that refuses the party) are not a problem of the format: the night is read, and
the planner keeps what it can and says what it could not (``keep.py``). ``announced``
placements (NIGHT-FORMAT.md, "Planning again during the night") must name parties and places
of the night, each party once.
"""
from __future__ import annotations

import json
from typing import Any

from .night import GENDERS, Accepts, Announced, Driver, Fixed, Host, Night, Party, Shelter, Travel
from .values import MAX_BEDS, MAX_PARTY_SIZE, MAX_ROAD_FACTOR, MAX_SEATS, YEARS, Values, parse_json, show

__all__ = ["FORMAT", "MAX_BYTES", "MAX_COUNTS", "YEARS", "NightError", "load_night", "read_night", "too_large"]

FORMAT = "nightstay.night/1"
TRAVEL_MODELS = ("haversine",)
REACHES = ("walk", "drive")
PICKUPS = ("self", "driver")
MAX_NIGHTS_OUTSIDE = 7
# The declared size of a night: a city's night across all its hubs is well within it.
MAX_BYTES = 20 * 1024 * 1024
MAX_COUNTS = {"parties": 50_000, "shelters": 1_000, "hosts": 5_000, "drivers": 2_000, "fixed": 50_000,
              "announced": 50_000}


class NightError(ValueError):
    """A night that breaks the format; ``problems`` holds one readable line per problem."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def load_night(text: str | bytes) -> Night:
    """Read a night from the raw text of a file; anything wrong raises ``NightError``."""
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise NightError([too_large(size)])
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as e:
            raise NightError([f"not UTF-8 text: {e}"]) from None
    if not text.strip():
        raise NightError(["empty file: expected a nightstay.night/1 JSON document"])
    try:
        data = parse_json(text)
    except json.JSONDecodeError as e:
        raise NightError([f"not JSON: {e}"]) from None
    except RecursionError:
        raise NightError(["not JSON: nested too deeply"]) from None
    return read_night(data)


def too_large(size: int) -> str:
    """The one line that refuses a file above the declared size."""
    return (f"file too large: {size / 1024 / 1024:.1f} MB, a night is at most {MAX_BYTES // 1024 // 1024} MB "
            "(split it by hub)")


def read_night(data: Any) -> Night:
    """Validate a decoded night document and build the ``Night``; raise ``NightError`` listing every problem."""
    reader = _Reader()
    night = reader.night(data)
    if reader.problems:
        raise NightError(reader.problems)
    return night


class _Reader(Values):
    """Walks a night document, turning each valid value into the model and each bad one into a problem line.

    Every method that reads a value returns the parsed value, or None after recording a
    problem, so the walk always goes on to the end.
    """

    def __init__(self) -> None:
        super().__init__()
        self.too_many: set[str] = set()  # lists refused whole for their length: nothing more is said of them

    def items(self, obj: dict | None, key: str, optional: bool = False) -> list[tuple[str, dict]]:
        """The objects of a top-level list, each with its path (``parties[3]``)."""
        values = self.field(obj, key, "", self.list, optional=optional, default=[])
        if values and len(values) > MAX_COUNTS[key]:
            self.bad(key, f"{len(values)} in one night, at most {MAX_COUNTS[key]} (split the night by hub)")
            self.too_many.add(key)
            return []
        found = []
        for i, value in enumerate(values or []):
            path = f"{key}[{i}]"
            if self.obj(value, path) is not None:
                found.append((path, value))
        return found

    # -- the format's objects ---------------------------------------------------------------

    def night(self, data: Any) -> Night | None:
        if not isinstance(data, dict):
            self.problems.append(f"night: must be a JSON object, got {show(data)}")
            return None
        if data.get("format") != FORMAT:
            self.bad("format", f'must be "{FORMAT}", got {show(data["format"])}' if "format" in data
                     else f'missing (must be "{FORMAT}")')
        hub = self.field(data, "hub", "", self.obj)
        hub_name = self.field(hub, "name", "hub", self.text, optional=True, default="")
        meeting_point = self.field(hub, "meeting_point", "hub", self.location)
        window = self.field(data, "window", "", self.obj)
        start = self.field(window, "start", "window", self.time)
        end = self.field(window, "end", "window", self.time)
        if start is not None and end is not None and end < start:
            self.bad("window", "end before start")
        travel = self.travel(self.field(data, "travel", "", self.obj))

        parties = [self.party(path, p) for path, p in self.items(data, "parties")]
        shelters = [self.shelter(path, s) for path, s in self.items(data, "shelters", optional=True)]
        hosts = [self.host(path, h) for path, h in self.items(data, "hosts", optional=True)]
        drivers = [self.driver(path, d) for path, d in self.items(data, "drivers", optional=True)]
        self.unique_ids(data)
        self.returning(parties, hosts)
        # An unreadable list of parties or places is one problem, not one more per reference to it.
        listed = {key: isinstance(data.get(key, []), list) and key not in self.too_many
                  for key in ("parties", "shelters", "hosts")}
        fixed = self.pairs(self.items(data, "fixed", optional=True), parties if listed["parties"] else None,
                           (shelters, hosts) if listed["shelters"] and listed["hosts"] else None, Fixed)
        announced = None
        if "announced" in data:
            announced = self.pairs(self.items(data, "announced"), parties if listed["parties"] else None,
                                   (shelters, hosts) if listed["shelters"] and listed["hosts"] else None, Announced)
        if self.problems:
            return None
        return Night(hub_name=hub_name, meeting_point=meeting_point, start=start, end=end, travel=travel,
                     parties=tuple(parties), shelters=tuple(shelters), hosts=tuple(hosts), drivers=tuple(drivers),
                     fixed=tuple(fixed), announced=None if announced is None else tuple(announced))

    def travel(self, obj: dict | None) -> Travel:
        p = "travel"
        model = self.field(obj, "model", p, self.choice, TRAVEL_MODELS, optional=True, default="haversine")
        return Travel(
            road_factor=self.field(obj, "road_factor", p, self.positive, MAX_ROAD_FACTOR),
            drive_kmh=self.field(obj, "drive_kmh", p, self.speed),
            walk_kmh=self.field(obj, "walk_kmh", p, self.speed),
            board_minutes=self.field(obj, "board_minutes", p, self.minutes),
            drop_minutes=self.field(obj, "drop_minutes", p, self.minutes),
            model=model,
        )

    def party(self, p: str, obj: dict) -> Party:
        return Party(
            id=self.field(obj, "id", p, self.id),
            size=self.field(obj, "size", p, self.int, 1, MAX_PARTY_SIZE),
            gender=self.field(obj, "gender", p, self.choice, GENDERS),
            minor=self.field(obj, "minor", p, self.bool),
            vulnerable=self.field(obj, "vulnerable", p, self.bool),
            languages=self.field(obj, "languages", p, self.strings, optional=True, nullable=True,
                                 default=frozenset()) or frozenset(),
            waiting_since=self.field(obj, "waiting_since", p, self.time),
            returning_to=self.field(obj, "returning_to", p, self.id, optional=True, nullable=True),
            nights_outside=self.field(obj, "nights_outside", p, self.int, 0, MAX_NIGHTS_OUTSIDE, True, optional=True,
                                      nullable=True, default=0),
        )

    def accepts(self, obj: dict, p: str) -> Accepts:
        acc = self.field(obj, "accepts", p, self.obj, optional=True, default={})
        p = f"{p}.accepts"
        return Accepts(
            genders=self.field(acc, "genders", p, self.strings, GENDERS, optional=True,
                               default=frozenset(GENDERS)) or frozenset(),
            minors=self.field(acc, "minors", p, self.bool, optional=True, default=False),
            max_party=self.field(acc, "max_party", p, self.int, 1, MAX_BEDS, optional=True),
        )

    def place_languages(self, obj: dict, p: str) -> frozenset[str]:
        return self.field(obj, "languages", p, self.strings, optional=True, nullable=True,
                          default=frozenset()) or frozenset()

    def shelter(self, p: str, obj: dict) -> Shelter:
        return Shelter(
            self.field(obj, "id", p, self.id),
            self.field(obj, "location", p, self.location),
            self.field(obj, "beds", p, self.int, 1, MAX_BEDS),
            self.accepts(obj, p),
            languages=self.place_languages(obj, p),
            name=self.field(obj, "name", p, self.text, optional=True, default=""),
            reach=self.field(obj, "reach", p, self.choice, REACHES),
        )

    def host(self, p: str, obj: dict) -> Host:
        ready_from = self.field(obj, "ready_from", p, self.time)
        latest_arrival = self.field(obj, "latest_arrival", p, self.time)
        if ready_from is not None and latest_arrival is not None and latest_arrival < ready_from:
            self.bad(p, "latest_arrival precedes ready_from")
        return Host(
            self.field(obj, "id", p, self.id),
            self.field(obj, "location", p, self.location),
            self.field(obj, "beds", p, self.int, 1, MAX_BEDS),
            self.accepts(obj, p),
            languages=self.place_languages(obj, p),
            pickup=self.field(obj, "pickup", p, self.choice, PICKUPS),
            ready_from=ready_from,
            latest_arrival=latest_arrival,
            welcomes_back=self.field(obj, "welcomes_back", p, self.bool, optional=True, default=False),
        )

    def driver(self, p: str, obj: dict) -> Driver:
        available_from = self.field(obj, "available_from", p, self.time)
        available_until = self.field(obj, "available_until", p, self.time)
        if available_from is not None and available_until is not None and available_until < available_from:
            self.bad(p, "available_until precedes available_from")
        return Driver(
            self.field(obj, "id", p, self.id),
            self.field(obj, "seats", p, self.int, 1, MAX_SEATS),
            self.field(obj, "home", p, self.location),
            available_from,
            available_until,
        )

    # -- rules across objects ---------------------------------------------------------------

    def unique_ids(self, data: dict) -> None:
        """Ids are unique across the whole night: a plan names places and parties by id alone."""
        seen: set[str] = set()
        for key in ("parties", "shelters", "hosts", "drivers"):
            values = data.get(key) if key not in self.too_many else None
            for i, obj in enumerate(values if isinstance(values, list) else []):
                ident = obj.get("id") if isinstance(obj, dict) else None
                if not isinstance(ident, str) or not ident:
                    continue
                if ident in seen:
                    self.bad(f"{key}[{i}].id", f"duplicate id {ident!r}")
                seen.add(ident)

    def returning(self, parties: list[Party], hosts: list[Host]) -> None:
        host_ids = {h.id for h in hosts}
        for i, party in enumerate(parties):
            if party.returning_to is not None and party.returning_to not in host_ids:
                self.bad(f"parties[{i}].returning_to", f"unknown host {party.returning_to!r}")

    def pairs(self, items: list[tuple[str, dict]], parties: list[Party] | None,
              places: tuple[list[Shelter], list[Host]] | None, kind: type) -> list:
        """``fixed`` or ``announced`` placements: a known party at a known place, each party once.

        ``parties`` or ``places`` is None when its list could not be read at all. Whether the
        placements can be kept (beds, who is accepted) is the planner's question, not the
        format's: a plan keeps what it can and names the rest.
        """
        party_ids = {p.id for p in parties or ()}
        place_ids = {s.id for s in (*places[0], *places[1])} if places else set()
        found, at = [], {}
        for p, obj in items:
            party_id = self.field(obj, "party", p, self.id)
            place_id = self.field(obj, "place", p, self.id)
            known = True
            if party_id is not None and party_id not in party_ids:
                known = False
                if parties is not None:
                    self.bad(f"{p}.party", f"unknown party {party_id!r}")
            if place_id is not None and place_id not in place_ids:
                known = False
                if places is not None:
                    self.bad(f"{p}.place", f"unknown place {place_id!r}")
            if party_id is None or place_id is None or not known:
                continue
            if party_id in at:
                verb = "fixed" if kind is Fixed else "announced"
                self.bad(f"{p}.party", f"{party_id!r} is already {verb} at {at[party_id]!r}")
                continue
            at[party_id] = place_id
            found.append(kind(party_id, place_id))
        return found
