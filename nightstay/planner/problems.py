"""What is wrong with a plan, said as data: a code and its values, then English.

The checker and ``edit`` find problems; people read them. The command line prints the
English here, the web board says the same thing in the coordinator's language from the code
and the values (a party, a place, counts, times), so rewording a sentence here changes no
translation, and a new code fails loudly until it has its words.

Times among the values are on the hub's clock (the night's UTC offset); a value the plan got
wrong is kept as the plan wrote it, shortened (``said``).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .night import Party, Place

_AT = "arrives {at:%H:%M:%S}"

# code -> the English sentence, ``str.format`` over the values
MESSAGES: Mapping[str, str] = MappingProxyType({
    # where a party is
    "gender_refused": "party {party} at {place}: does not accept gender {gender}",
    "minors_refused": "party {party} at {place}: does not accept minors",
    "party_too_big": "party {party} at {place}: max_party {most} < size {size}",
    "no_common_language": "party {party} at {place}: no common language",
    "over_capacity": "{place}: {n} people for {beds} beds",
    "mixed_host": "{place}: men and women or families at the same host",
    "fixed_not_kept": "fixed placement {party} -> {place} not kept",
    "placed_twice": "party {party} appears twice",
    "placed_and_unplaced": "party {party} both placed and unplaced",
    "unplaced_twice": "party {party} unplaced twice",
    "party_forgotten": "party {party} is neither placed nor unplaced",
    "not_dropped": "party {party} placed at {place} but no trip drops it there",
    "dropped_elsewhere": "party {party} dropped at {place} but placed at {placed}",
    "dropped_twice": "party {party} dropped twice",
    # when
    "early_arrival": "party {party}: " + _AT + ", cannot before {earliest:%H:%M:%S}",
    "late_arrival": "party {party}: " + _AT + ", after {latest:%H:%M:%S}",
    "arrive_differs": "party {party}: placement arrive differs from its stop",
    "stop_early": "{path}: " + _AT + ", cannot before {earliest:%H:%M:%S}",
    "stop_late": "{path}: " + _AT + ", after {latest:%H:%M:%S}",
    "departs_too_early": "{path}: departs {at:%H:%M:%S} before loading can end",
    "ends_too_early": "{path}: end_at {at:%H:%M:%S} before {earliest:%H:%M:%S}",
    "driver_late": "{path}: driver {driver} busy until {at:%H:%M:%S}, available until {latest:%H:%M:%S}",
    "calendar_overflow": "{path}: times run past the end of the calendar",
    # cars
    "over_seats": "{path}: {n} people in {seats} seats",
    "driver_went_home": "{path}: driver {driver} already went home",
    "unknown_driver": "{path}: unknown driver {said}",
    "not_a_car_place": "{path}: {said} is not a place reached by car",
    # a coordinator's move (``edit``)
    "no_such_party": "party {party} is not in this night",
    "no_such_place": "place {place} is not in this night",
    "no_driver": "no driver can take party {party} to {place} in time",
    # the document itself
    "plan_not_an_object": "{path}: must be a JSON object",
    "wrong_format": '{path}: must be "{format}"',
    "missing": "{path}: missing",
    "not_a_list": "{path}: must be a list",
    "not_an_object": "{path}: must be an object",
    "not_a_party_list": "{path}: must be a list of party ids",
    "unknown_party": "{path}: unknown party {said}",
    "unknown_place": "{path}: unknown place {said}",
    "not_a_time": "{path}: not an ISO 8601 time: {said}",
    "no_utc_offset": "{path}: time without UTC offset: {said}",
    "year_out_of_range": "{path}: must be between the years {first} and {last}, got {said}",
    "bad_end": "{path}: must be meeting_point or home",
    "summary_not_a_number": "{path}: must be a number, got {said}",
    "summary_untrue": "{path}: says {said}, the plan gives {real}",
    "summary_time_untrue": "{path}: says {said:%H:%M:%S}, the plan gives {real:%H:%M:%S}",
})


@dataclass(frozen=True)
class Violation:
    """One problem: ``code`` (a key of ``MESSAGES``) and the values it speaks of."""

    code: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if self.code not in MESSAGES:
            raise ValueError(f"unknown problem code {self.code!r}")
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))

    @classmethod
    def of(cls, code: str, **values: Any) -> Violation:
        return cls(code, values)

    @property
    def message(self) -> str:
        """The English sentence, as the command line prints it."""
        return MESSAGES[self.code].format(**self.values)

    def __str__(self) -> str:
        return self.message


class Refusal(Exception):
    """A coordinator's move the rules refuse; ``problems`` say why, the first one first."""

    def __init__(self, problems: tuple[Violation, ...]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = tuple(problems)


def refusal(place: Place, party: Party) -> Violation | None:
    """Why ``place`` cannot take ``party`` (capacity aside), as a problem; None when it can.

    The rule is ``Place.refuses``'s; this names which part of it the party breaks.
    """
    why = place.refuses(party)
    if why is None:
        return None
    values = {"party": party.id, "place": place.id}
    if party.gender not in place.accepts.genders:
        return Violation("gender_refused", {**values, "gender": party.gender})
    if party.minor and not place.accepts.minors:
        return Violation("minors_refused", values)
    if place.accepts.max_party is not None and party.size > place.accepts.max_party:
        return Violation("party_too_big", {**values, "most": place.accepts.max_party, "size": party.size})
    return Violation("no_common_language", values)
