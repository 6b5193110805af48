"""Read a plan document leniently, for the checker: every malformed value is a broken rule, never an exception.

A plan may come from a file a person edited, or from another solver: a missing key, a number
where a time should be or a list that is not one must give the coordinator an error line
naming where it is, not a traceback. The checker's rules (check.py) build on these readers.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from .night import Driver, Host, Location, Night, Party, Shelter
from .problems import Violation
from .values import YEARS


def show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class PlanReader:
    """The night's lookups, broken rules collected, and the plan's values read without raising."""

    def __init__(self, night: Night):
        self.night = night
        self.problems: list[Violation] = []
        self.parties: dict[str, Party] = night.party_by_id
        self.places: dict[str, Shelter | Host] = night.places
        self.drivers: dict[str, Driver] = {d.id: d for d in night.drivers}
        self.board = timedelta(minutes=night.travel.board_minutes)
        self.drop = timedelta(minutes=night.travel.drop_minutes)

    def err(self, code: str, **values: Any) -> None:
        """A broken rule; its times on the hub's clock, as a coordinator reads them (the date is tonight's)."""
        tz = self.night.start.tzinfo
        self.problems.append(Violation(code, {k: v.astimezone(tz) if isinstance(v, datetime) else v
                                              for k, v in values.items()}))

    # -- reading the plan -------------------------------------------------------------------

    def time(self, obj: dict, key: str, path: str) -> datetime | None:
        if key not in obj:
            self.err("missing", path=f"{path}.{key}")
            return None
        value = obj[key]
        try:
            t = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            self.err("not_a_time", path=f"{path}.{key}", said=show(value))
            return None
        if t.utcoffset() is None:
            self.err("no_utc_offset", path=f"{path}.{key}", said=show(value))
            return None
        if not YEARS[0] <= t.year <= YEARS[1]:
            self.err("year_out_of_range", path=f"{path}.{key}", first=YEARS[0], last=YEARS[1], said=show(value))
            return None
        return t

    def objects(self, value: Any, path: str) -> list[tuple[int, dict]]:
        """The objects of a list in the plan, with their index; anything else is an error."""
        if not isinstance(value, list):
            self.err("not_a_list", path=path)
            return []
        found = []
        for i, item in enumerate(value):
            if isinstance(item, dict):
                found.append((i, item))
            else:
                self.err("not_an_object", path=f"{path}[{i}]")
        return found

    def party_ids(self, value: Any, path: str) -> list[str]:
        if not isinstance(value, list):
            self.err("not_a_party_list", path=path)
            return []
        ids = []
        for item in value:
            if isinstance(item, str):
                ids.append(item)
            else:
                self.err("unknown_party", path=path, said=show(item))
        return ids

    # -- travel -----------------------------------------------------------------------------

    def drive(self, a: Location, b: Location) -> timedelta:
        return timedelta(hours=self.night.travel.km(a, b) / self.night.travel.drive_kmh)

    def walk(self, a: Location, b: Location) -> timedelta:
        return timedelta(hours=self.night.travel.km(a, b) / self.night.travel.walk_kmh)
