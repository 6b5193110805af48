"""The night as the planner sees it: frozen, parsed, already validated.

Every class mirrors one object of the nightstay.night/1 format. Reading and validating a
JSON document into these classes is ``read.py``'s job; the rules that a placement must
respect live here, on the objects they concern, so the solver, the greedy baseline and the
checker all apply the very same rule.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

EARTH_RADIUS_KM = 6371.0
GENDERS = ("m", "f", "mixed")


def crow_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle (haversine) distance in km: the format's distance before ``road_factor``."""
    la1, lo1, la2, lo2 = map(math.radians, (lat1, lon1, lat2, lon2))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class Location:
    lat: float
    lon: float


@dataclass(frozen=True)
class Travel:
    """How long it takes to go from A to B (the format's only model is ``haversine``)."""

    road_factor: float = 1.3
    drive_kmh: float = 30.0
    walk_kmh: float = 4.5
    board_minutes: float = 5.0
    drop_minutes: float = 3.0
    model: str = "haversine"

    def km(self, a: Location, b: Location) -> float:
        """Road kilometres: the great-circle distance times ``road_factor``."""
        return crow_km(a.lat, a.lon, b.lat, b.lon) * self.road_factor

    def to_json(self) -> dict:
        """The format's ``travel`` object (whole numbers written whole)."""
        values = {"model": self.model, "road_factor": self.road_factor, "drive_kmh": self.drive_kmh,
                  "walk_kmh": self.walk_kmh, "board_minutes": self.board_minutes, "drop_minutes": self.drop_minutes}
        return {k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in values.items()}

    def drive_seconds(self, a: Location, b: Location) -> float:
        return self.km(a, b) / self.drive_kmh * 3600.0

    def walk_seconds(self, a: Location, b: Location) -> float:
        return self.km(a, b) / self.walk_kmh * 3600.0

    @property
    def board_seconds(self) -> float:
        return self.board_minutes * 60.0

    @property
    def drop_seconds(self) -> float:
        return self.drop_minutes * 60.0


@dataclass(frozen=True)
class Accepts:
    genders: frozenset[str] = frozenset(GENDERS)
    minors: bool = False
    max_party: int | None = None


@dataclass(frozen=True)
class Party:
    """People who stay together: placed whole in one place or not at all."""

    id: str
    size: int
    gender: str
    minor: bool
    vulnerable: bool
    languages: frozenset[str]
    waiting_since: datetime
    returning_to: str | None = None
    nights_outside: int = 0

    @property
    def kind(self) -> str:
        """'m' for single men, 'f' for a woman or a family: the two never share a host."""
        return "m" if self.gender == "m" else "f"


@dataclass(frozen=True)
class Place:
    """What shelters and hosts share: a location, beds, and who they accept."""

    id: str
    location: Location
    beds: int
    accepts: Accepts

    languages: frozenset[str] = field(default=frozenset(), kw_only=True)

    def refuses(self, party: Party) -> str | None:
        """Why this place cannot take ``party`` (None when it can), capacity aside."""
        if party.gender not in self.accepts.genders:
            return f"does not accept gender {party.gender}"
        if party.minor and not self.accepts.minors:
            return "does not accept minors"
        if self.accepts.max_party is not None and party.size > self.accepts.max_party:
            return f"max_party {self.accepts.max_party} < size {party.size}"
        if self.languages and party.languages and not (self.languages & party.languages):
            return "no common language"
        return None

    def fits(self, party: Party) -> bool:
        return self.refuses(party) is None


@dataclass(frozen=True)
class Shelter(Place):
    """A collective place (a dormitory). ``walk``: guests walk there; ``drive``: a driver drops them."""

    name: str = ""
    reach: str = "walk"

    @property
    def by_car(self) -> bool:
        return self.reach == "drive"

    @property
    def is_host(self) -> bool:
        return False


@dataclass(frozen=True)
class Host(Place):
    """A volunteer home. ``self`` hosts fetch their guests at the meeting point; ``driver`` hosts wait at home."""

    pickup: str = "driver"
    ready_from: datetime | None = None
    latest_arrival: datetime | None = None
    welcomes_back: bool = False

    @property
    def by_car(self) -> bool:
        return self.pickup == "driver"

    @property
    def is_host(self) -> bool:
        return True


@dataclass(frozen=True)
class Driver:
    id: str
    seats: int
    home: Location
    available_from: datetime
    available_until: datetime


@dataclass(frozen=True)
class Fixed:
    party: str
    place: str


@dataclass(frozen=True)
class Announced:
    """A placement told to a host, a driver and a guest earlier tonight: changing it costs."""

    party: str
    place: str


@dataclass(frozen=True)
class Night:
    hub_name: str
    meeting_point: Location
    start: datetime
    end: datetime
    travel: Travel
    parties: tuple[Party, ...] = ()
    shelters: tuple[Shelter, ...] = ()
    hosts: tuple[Host, ...] = ()
    drivers: tuple[Driver, ...] = ()
    fixed: tuple[Fixed, ...] = ()
    # None: the night has no ``announced`` list, and plans rank as they always did; a tuple
    # (even empty): the number of announced placements a plan changes is ranked too.
    announced: tuple[Announced, ...] | None = None

    @property
    def places(self) -> dict[str, Shelter | Host]:
        return {p.id: p for p in (*self.shelters, *self.hosts)}

    @property
    def party_by_id(self) -> dict[str, Party]:
        return {p.id: p for p in self.parties}

    @cached_property
    def announced_at(self) -> tuple[tuple[int, int], ...]:
        """(party index, place index) of each announced placement, in the planner's numbering.

        Parties are numbered in the night's order, places shelters first and then hosts
        (``Problem``'s order): the search counts changed announcements on every step, by index.
        """
        party = {p.id: i for i, p in enumerate(self.parties)}
        place = {p.id: j for j, p in enumerate((*self.shelters, *self.hosts))}
        return tuple((party[a.party], place[a.place]) for a in self.announced or ()
                     if a.party in party and a.place in place)

    @property
    def people(self) -> int:
        return sum(p.size for p in self.parties)

    def seconds(self, t: datetime) -> float:
        """Seconds since the window's start: the solver's clock."""
        return (t - self.start).total_seconds()

    def at(self, seconds: float) -> datetime:
        """The inverse of ``seconds``, in the window's UTC offset, to the nearest second."""
        return self.start + timedelta(seconds=round(seconds))
