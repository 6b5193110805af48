"""Read a nightstay.night/1 document into ``night.Night``.

TEMPORARY: a permissive reader that assumes a valid document. The validating reader
(one readable line per problem, naming the path) replaces it.
"""
from __future__ import annotations

from datetime import datetime

from .night import Accepts, Driver, Fixed, Host, Location, Night, Party, Shelter, Travel


class NightError(ValueError):
    """A night that breaks the format; ``problems`` holds one readable line per problem."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _loc(d) -> Location:
    return Location(float(d["lat"]), float(d["lon"]))


def _t(s) -> datetime:
    return datetime.fromisoformat(s)


def _acc(d) -> Accepts:
    d = d or {}
    return Accepts(frozenset(d.get("genders", ["m", "f", "mixed"])), bool(d.get("minors", False)), d.get("max_party"))


def night_from_dict(d: dict) -> Night:
    t = d.get("travel", {})
    return Night(
        hub_name=d["hub"].get("name", ""),
        meeting_point=_loc(d["hub"]["meeting_point"]),
        start=_t(d["window"]["start"]),
        end=_t(d["window"]["end"]),
        travel=Travel(**{k: v for k, v in t.items()}),
        parties=tuple(
            Party(p["id"], p["size"], p["gender"], bool(p.get("minor")), bool(p.get("vulnerable")),
                  frozenset(p.get("languages") or ()), _t(p["waiting_since"]), p.get("returning_to"),
                  int(p.get("nights_outside") or 0))
            for p in d.get("parties", [])
        ),
        shelters=tuple(
            Shelter(s["id"], _loc(s["location"]), s["beds"], _acc(s.get("accepts")), name=s.get("name", ""),
                    reach=s.get("reach", "walk"))
            for s in d.get("shelters", [])
        ),
        hosts=tuple(
            Host(h["id"], _loc(h["location"]), h["beds"], _acc(h.get("accepts")),
                 languages=frozenset(h.get("languages") or ()), pickup=h["pickup"], ready_from=_t(h["ready_from"]),
                 latest_arrival=_t(h["latest_arrival"]), welcomes_back=bool(h.get("welcomes_back")))
            for h in d.get("hosts", [])
        ),
        drivers=tuple(
            Driver(x["id"], x["seats"], _loc(x["home"]), _t(x["available_from"]), _t(x["available_until"]))
            for x in d.get("drivers", [])
        ),
        fixed=tuple(Fixed(f["party"], f["place"]) for f in d.get("fixed", []) or []),
    )


read_night = night_from_dict  # until the validating reader lands
