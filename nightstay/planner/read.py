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
"""
from __future__ import annotations

import json
import math
from collections import Counter
from datetime import datetime
from typing import Any, Callable

from .night import GENDERS, Accepts, Driver, Fixed, Host, Location, Night, Party, Shelter, Travel

FORMAT = "nightstay.night/1"
TRAVEL_MODELS = ("haversine",)
REACHES = ("walk", "drive")
PICKUPS = ("self", "driver")
MAX_NIGHTS_OUTSIDE = 7
# Bounds no real night comes near, so that a typo cannot take any time computed from the night
# (the longest drive on earth at the slowest speed, added to the latest year) out of datetime's range.
YEARS = (2000, 2999)
MIN_KMH, MAX_KMH = 0.1, 1000.0
MAX_ROAD_FACTOR = 10.0
MAX_MINUTES = 240


class NightError(ValueError):
    """A night that breaks the format; ``problems`` holds one readable line per problem."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def load_night(text: str | bytes) -> Night:
    """Read a night from the raw text of a file; anything wrong raises ``NightError``."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as e:
            raise NightError([f"not UTF-8 text: {e}"]) from None
    if not text.strip():
        raise NightError(["empty file: expected a nightstay.night/1 JSON document"])
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise NightError([f"not JSON: {e}"]) from None
    except RecursionError:
        raise NightError(["not JSON: nested too deeply"]) from None
    return read_night(data)


def read_night(data: Any) -> Night:
    """Validate a decoded night document and build the ``Night``; raise ``NightError`` listing every problem."""
    reader = _Reader()
    night = reader.night(data)
    if reader.problems:
        raise NightError(reader.problems)
    return night


def _show(value: Any) -> str:
    """A short rendering of a bad value, in JSON spelling since that is what the user wrote."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _is_number(value: Any) -> bool:
    # In Python, True is an int; in a night file it is a mistake.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Reader:
    """Walks a night document, turning each valid value into the model and each bad one into a problem line.

    Every method that reads a value returns the parsed value, or None after recording a
    problem, so the walk always goes on to the end.
    """

    def __init__(self) -> None:
        self.problems: list[str] = []

    def bad(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    # -- containers -------------------------------------------------------------------------

    def obj(self, value: Any, path: str) -> dict | None:
        if isinstance(value, dict):
            return value
        return self.bad(path, f"must be an object, got {_show(value)}")

    def field(self, obj: dict | None, key: str, path: str, read: Callable[..., Any], *args: Any,
              optional: bool = False, default: Any = None, nullable: bool = False) -> Any:
        """Read ``obj[key]`` with ``read``; a missing key is a problem unless ``optional``."""
        if obj is None:
            return default
        where = f"{path}.{key}" if path else key
        if key not in obj or (nullable and obj[key] is None):
            if not optional:
                self.bad(where, "missing")
            return default
        return read(obj[key], where, *args)

    def items(self, obj: dict | None, key: str, optional: bool = False) -> list[tuple[str, dict]]:
        """The objects of a top-level list, each with its path (``parties[3]``)."""
        values = self.field(obj, key, "", self.list, optional=optional, default=[])
        found = []
        for i, value in enumerate(values or []):
            path = f"{key}[{i}]"
            if self.obj(value, path) is not None:
                found.append((path, value))
        return found

    def list(self, value: Any, path: str) -> list | None:
        if isinstance(value, list):
            return value
        return self.bad(path, f"must be a list, got {_show(value)}")

    # -- scalars ----------------------------------------------------------------------------

    def id(self, value: Any, path: str) -> str | None:
        if isinstance(value, str) and value:
            return value
        return self.bad(path, f"must be a non-empty string, got {_show(value)}")

    def text(self, value: Any, path: str) -> str | None:
        if isinstance(value, str):
            return value
        return self.bad(path, f"must be a string, got {_show(value)}")

    def bool(self, value: Any, path: str) -> bool | None:
        if isinstance(value, bool):
            return value
        return self.bad(path, f"must be true or false, got {_show(value)}")

    def choice(self, value: Any, path: str, options: tuple[str, ...]) -> str | None:
        if isinstance(value, str) and value in options:
            return value
        return self.bad(path, f"must be one of {', '.join(options)}")

    def int(self, value: Any, path: str, low: int, high: int | None = None) -> int | None:
        if not isinstance(value, int) or isinstance(value, bool):
            return self.bad(path, f"must be a whole number, got {_show(value)}")
        if high is None and value < low:
            return self.bad(path, f"must be at least {low}, got {_show(value)}")
        if high is not None and not low <= value <= high:
            return self.bad(path, f"must be between {low} and {high}, got {_show(value)}")
        return value

    def number(self, value: Any, path: str, low: float | None = None, high: float | None = None) -> float | None:
        if not _is_number(value):
            return self.bad(path, f"must be a number, got {_show(value)}")
        try:
            number = float(value)
        except OverflowError:
            return self.bad(path, "must be a finite number, got a number too large")
        if not math.isfinite(number):
            return self.bad(path, f"must be a finite number, got {_show(value)}")
        if low is not None and high is not None and not low <= number <= high:
            return self.bad(path, f"must be between {low:g} and {high:g}, got {_show(value)}")
        return number

    def positive(self, value: Any, path: str, most: float) -> float | None:
        number = self.number(value, path)
        if number is not None and number <= 0:
            return self.bad(path, f"must be positive, got {_show(value)}")
        if number is not None and number > most:
            return self.bad(path, f"must be at most {most:g}, got {_show(value)}")
        return number

    def speed(self, value: Any, path: str) -> float | None:
        kmh = self.positive(value, path, MAX_KMH)
        if kmh is not None and kmh < MIN_KMH:
            return self.bad(path, f"must be at least {MIN_KMH:g} km/h, got {_show(value)}")
        return kmh

    def minutes(self, value: Any, path: str) -> float | None:
        number = self.number(value, path)
        if number is not None and number < 0:
            return self.bad(path, f"must not be negative, got {_show(value)}")
        if number is not None and number > MAX_MINUTES:
            return self.bad(path, f"must be at most {MAX_MINUTES} minutes, got {_show(value)}")
        return number

    def time(self, value: Any, path: str) -> datetime | None:
        if not isinstance(value, str):
            return self.bad(path, f"must be an ISO 8601 time with a UTC offset, got {_show(value)}")
        try:
            t = datetime.fromisoformat(value)
        except ValueError:
            return self.bad(path, f"not an ISO 8601 time: {_show(value)}")
        if t.tzinfo is None or t.utcoffset() is None:
            return self.bad(path, f"time without UTC offset: {_show(value)}")
        if not YEARS[0] <= t.year <= YEARS[1]:
            return self.bad(path, f"must be between the years {YEARS[0]} and {YEARS[1]}, got {_show(value)}")
        return t

    def location(self, value: Any, path: str) -> Location | None:
        obj = self.obj(value, path)
        lat = self.field(obj, "lat", path, self.number, -90.0, 90.0)
        lon = self.field(obj, "lon", path, self.number, -180.0, 180.0)
        if lat is None or lon is None:
            return None
        return Location(lat, lon)

    def strings(self, value: Any, path: str, options: tuple[str, ...] | None = None) -> frozenset[str] | None:
        values = self.list(value, path)
        if values is None:
            return None
        found = set()
        for i, item in enumerate(values):
            ok = self.choice(item, f"{path}[{i}]", options) if options else self.text(item, f"{path}[{i}]")
            if ok is not None:
                found.add(ok)
        return frozenset(found)

    # -- the format's objects ---------------------------------------------------------------

    def night(self, data: Any) -> Night | None:
        if not isinstance(data, dict):
            self.problems.append(f"night: must be a JSON object, got {_show(data)}")
            return None
        if data.get("format") != FORMAT:
            self.bad("format", f'must be "{FORMAT}", got {_show(data["format"])}' if "format" in data
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
        listed = {key: isinstance(data.get(key, []), list) for key in ("parties", "shelters", "hosts")}
        fixed = self.fixed(self.items(data, "fixed", optional=True), parties if listed["parties"] else None,
                           (shelters, hosts) if listed["shelters"] and listed["hosts"] else None)
        if self.problems:
            return None
        return Night(hub_name=hub_name, meeting_point=meeting_point, start=start, end=end, travel=travel,
                     parties=tuple(parties), shelters=tuple(shelters), hosts=tuple(hosts), drivers=tuple(drivers),
                     fixed=tuple(fixed))

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
            size=self.field(obj, "size", p, self.int, 1),
            gender=self.field(obj, "gender", p, self.choice, GENDERS),
            minor=self.field(obj, "minor", p, self.bool),
            vulnerable=self.field(obj, "vulnerable", p, self.bool),
            languages=self.field(obj, "languages", p, self.strings, optional=True, nullable=True,
                                 default=frozenset()) or frozenset(),
            waiting_since=self.field(obj, "waiting_since", p, self.time),
            returning_to=self.field(obj, "returning_to", p, self.id, optional=True, nullable=True),
            nights_outside=self.field(obj, "nights_outside", p, self.int, 0, MAX_NIGHTS_OUTSIDE, optional=True,
                                      nullable=True, default=0),
        )

    def accepts(self, obj: dict, p: str) -> Accepts:
        acc = self.field(obj, "accepts", p, self.obj, optional=True, default={})
        p = f"{p}.accepts"
        return Accepts(
            genders=self.field(acc, "genders", p, self.strings, GENDERS, optional=True,
                               default=frozenset(GENDERS)) or frozenset(),
            minors=self.field(acc, "minors", p, self.bool, optional=True, default=False),
            max_party=self.field(acc, "max_party", p, self.int, 1, optional=True),
        )

    def place_languages(self, obj: dict, p: str) -> frozenset[str]:
        return self.field(obj, "languages", p, self.strings, optional=True, nullable=True,
                          default=frozenset()) or frozenset()

    def shelter(self, p: str, obj: dict) -> Shelter:
        return Shelter(
            self.field(obj, "id", p, self.id),
            self.field(obj, "location", p, self.location),
            self.field(obj, "beds", p, self.int, 1),
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
            self.field(obj, "beds", p, self.int, 1),
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
            self.field(obj, "seats", p, self.int, 1),
            self.field(obj, "home", p, self.location),
            available_from,
            available_until,
        )

    # -- rules across objects ---------------------------------------------------------------

    def unique_ids(self, data: dict) -> None:
        """Ids are unique across the whole night: a plan names places and parties by id alone."""
        seen: set[str] = set()
        for key in ("parties", "shelters", "hosts", "drivers"):
            values = data.get(key)
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

    def fixed(self, items: list[tuple[str, dict]], parties: list[Party] | None,
              places: tuple[list[Shelter], list[Host]] | None) -> list[Fixed]:
        """Announced placements; one that no plan could keep is a problem of the night, said here.

        ``parties`` or ``places`` is None when its list could not be read at all.
        """
        # Whether a place can keep its fixed parties is only asked of parties and places read cleanly.
        clean = not self.problems
        party_by_id = {p.id: p for p in parties or ()}
        place_by_id = {s.id: s for s in (*places[0], *places[1])} if places else {}
        fixed, fixed_at = [], {}
        for p, obj in items:
            party_id = self.field(obj, "party", p, self.id)
            place_id = self.field(obj, "place", p, self.id)
            party, place = party_by_id.get(party_id), place_by_id.get(place_id)
            if party_id is not None and party is None and parties is not None:
                self.bad(f"{p}.party", f"unknown party {party_id!r}")
            if place_id is not None and place is None and places is not None:
                self.bad(f"{p}.place", f"unknown place {place_id!r}")
            if party is None or place is None:
                continue
            if party.id in fixed_at:
                self.bad(f"{p}.party", f"{party.id!r} is already fixed at {fixed_at[party.id]!r}")
                continue
            why = clean and place.refuses(party)
            if why:
                self.bad(p, f"{place.id} {why} (party {party.id})")
            fixed_at[party.id] = place.id
            fixed.append(Fixed(party.id, place.id))
        if not clean:
            return fixed
        people: Counter[str] = Counter()
        kinds: dict[str, set[str]] = {}
        for f in fixed:
            people[f.place] += party_by_id[f.party].size
            kinds.setdefault(f.place, set()).add(party_by_id[f.party].kind)
        for place_id, n in people.items():
            if n > place_by_id[place_id].beds:
                self.bad("fixed", f"{n} people fixed at {place_id}, which has {place_by_id[place_id].beds} beds")
            if place_by_id[place_id].is_host and len(kinds[place_id]) > 1:
                self.bad("fixed", f"men and women or families fixed at the same host {place_id}")
        return fixed
