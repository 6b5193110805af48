"""Reading one value of a JSON document: the checks every number, id, time and place obeys.

A value read from a night file is either what the format allows or a problem line naming
where it is (``drivers[0].seats: must be a whole number of at most 100, got 1e400``).
Every number has bounds no real night comes near, so that a typo can neither take a time
computed from the night out of the calendar nor a count out of memory; numbers too long or
too large for any night are kept as their text by ``parse_json`` and refused where they stand.
"""
from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any, Callable

from .night import Location

# Bounds no real night comes near, so that a typo cannot take any time computed from the night
# (the longest drive on earth at the slowest speed, added to the latest year) out of datetime's range.
YEARS = (2000, 2999)
MIN_KMH, MAX_KMH = 0.1, 1000.0
MAX_ROAD_FACTOR = 10.0
MAX_MINUTES = 240
MAX_PARTY_SIZE = 100  # people who must stay together
MAX_BEDS = 10_000  # the largest dormitory
MAX_SEATS = 100  # a bus
LONGEST_NUMBER = 30  # digits: longer ones are kept as text by the JSON reader, and refused


class Unreadable:
    """A number in the file too long or too large to be any night's value, kept as its text.

    ``json`` would turn 1e400 into infinity and refuse (with an exception, not a position) a
    whole number of more than 4,300 digits; parsed as ``Unreadable`` instead, the reader
    names the key it stands at, like any other wrong value.
    """

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        digits = self.text.lstrip("-")
        if digits.isdigit():
            return f"a number of {len(digits)} digits"
        return self.text if len(self.text) <= 24 else f"a number of {len(self.text)} characters"


def _parse_int(text: str) -> int | Unreadable:
    return Unreadable(text) if len(text) > LONGEST_NUMBER else int(text)


def _parse_float(text: str) -> float | Unreadable:
    number = float(text)
    return number if math.isfinite(number) else Unreadable(text)


def parse_json(text: str) -> Any:
    """Decode JSON text; numbers beyond any night's range come back as ``Unreadable``.

    Raises ``ValueError`` (``json.JSONDecodeError``) or ``RecursionError`` on text that is not JSON.
    """
    return json.loads(text, parse_int=_parse_int, parse_float=_parse_float)


def show(value: Any) -> str:
    """A short rendering of a bad value, in JSON spelling since that is what the user wrote."""
    if isinstance(value, Unreadable):
        return repr(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10 ** LONGEST_NUMBER:
        return f"a number of {int(value.bit_length() * 0.30103) + 1} digits"  # str() refuses the longest
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


class Values:
    """Reads values, turning each bad one into a problem line; ``problems`` collects them.

    Every method that reads a value returns the parsed value, or None after recording a
    problem, so that a walk over a document always goes on to the end.
    """

    def __init__(self) -> None:
        self.problems: list[str] = []

    def bad(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    # -- containers -------------------------------------------------------------------------

    def obj(self, value: Any, path: str) -> dict | None:
        if isinstance(value, dict):
            return value
        return self.bad(path, f"must be an object, got {show(value)}")

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

    def list(self, value: Any, path: str) -> list | None:
        if isinstance(value, list):
            return value
        return self.bad(path, f"must be a list, got {show(value)}")

    # -- scalars ----------------------------------------------------------------------------

    def id(self, value: Any, path: str) -> str | None:
        if isinstance(value, str) and value:
            return value
        return self.bad(path, f"must be a non-empty string, got {show(value)}")

    def text(self, value: Any, path: str) -> str | None:
        if isinstance(value, str):
            return value
        return self.bad(path, f"must be a string, got {show(value)}")

    def bool(self, value: Any, path: str) -> bool | None:
        if isinstance(value, bool):
            return value
        return self.bad(path, f"must be true or false, got {show(value)}")

    def choice(self, value: Any, path: str, options: tuple[str, ...]) -> str | None:
        if isinstance(value, str) and value in options:
            return value
        return self.bad(path, f"must be one of {', '.join(options)}")

    def int(self, value: Any, path: str, low: int, high: int, between: bool = False) -> int | None:
        """A whole number from ``low`` to ``high`` (said as a range when ``between``, else by the side broken)."""
        if isinstance(value, Unreadable):
            return self.bad(path, f"must be a whole number of at most {high}, got {show(value)}")
        if not isinstance(value, int) or isinstance(value, bool):
            return self.bad(path, f"must be a whole number, got {show(value)}")
        if between and not low <= value <= high:
            return self.bad(path, f"must be between {low} and {high}, got {show(value)}")
        if value < low:
            return self.bad(path, f"must be at least {low}, got {show(value)}")
        if value > high:
            return self.bad(path, f"must be at most {high}, got {show(value)}")
        return value

    def number(self, value: Any, path: str, low: float | None = None, high: float | None = None) -> float | None:
        if isinstance(value, Unreadable):
            return self.bad(path, f"must be a finite number, got {show(value)}")
        if not _is_number(value):
            return self.bad(path, f"must be a number, got {show(value)}")
        try:
            number = float(value)
        except OverflowError:
            return self.bad(path, f"must be a finite number, got {show(value)}")
        if not math.isfinite(number):
            return self.bad(path, f"must be a finite number, got {show(value)}")
        if low is not None and high is not None and not low <= number <= high:
            return self.bad(path, f"must be between {low:g} and {high:g}, got {show(value)}")
        return number

    def positive(self, value: Any, path: str, most: float) -> float | None:
        number = self.number(value, path)
        if number is not None and number <= 0:
            return self.bad(path, f"must be positive, got {show(value)}")
        if number is not None and number > most:
            return self.bad(path, f"must be at most {most:g}, got {show(value)}")
        return number

    def speed(self, value: Any, path: str) -> float | None:
        kmh = self.positive(value, path, MAX_KMH)
        if kmh is not None and kmh < MIN_KMH:
            return self.bad(path, f"must be at least {MIN_KMH:g} km/h, got {show(value)}")
        return kmh

    def minutes(self, value: Any, path: str) -> float | None:
        number = self.number(value, path)
        if number is not None and number < 0:
            return self.bad(path, f"must not be negative, got {show(value)}")
        if number is not None and number > MAX_MINUTES:
            return self.bad(path, f"must be at most {MAX_MINUTES} minutes, got {show(value)}")
        return number

    def time(self, value: Any, path: str) -> datetime | None:
        if not isinstance(value, str):
            return self.bad(path, f"must be an ISO 8601 time with a UTC offset, got {show(value)}")
        try:
            t = datetime.fromisoformat(value)
        except ValueError:
            return self.bad(path, f"not an ISO 8601 time: {show(value)}")
        if t.tzinfo is None or t.utcoffset() is None:
            return self.bad(path, f"time without UTC offset: {show(value)}")
        if not YEARS[0] <= t.year <= YEARS[1]:
            return self.bad(path, f"must be between the years {YEARS[0]} and {YEARS[1]}, got {show(value)}")
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
