"""Municipalities shipped with the site, and the coarse grid a home's location is stored on.

There is no geocoding service: an address never leaves the site. A host either lets the
phone say where the home is (rounded to ~100 m before it is sent) or picks the municipality,
whose rough centre stands in for the home (see ``data/areas.json``). Either way the home is
stored, and given to the planner, only as the centre of its grid cell (``coarse``).

The cells grow with the distance from the hub's meeting point, the only density we know
without a map: 500 m a side within 5 km (the city, where such a cell holds hundreds of
households), 1 km to 15 km out, 2 km beyond (suburbs and villages). A cell never singles out a
house, and two homes in one cell are the same point to anyone reading the database.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from nightstay.planner.night import crow_km

AREAS_FILE = Path(__file__).with_name("data") / "areas.json"


@dataclass(frozen=True)
class Area:
    name: str
    lat: float
    lon: float


@cache
def areas() -> tuple[Area, ...]:
    rows = json.loads(AREAS_FILE.read_text(encoding="utf-8"))["areas"]
    return tuple(Area(r["name"], r["lat"], r["lon"]) for r in rows)


def by_name(name: str) -> Area | None:
    return next((a for a in areas() if a.name == name), None)


KM_PER_DEGREE = 111.32
CELL_KM = ((5.0, 0.5), (15.0, 1.0), (math.inf, 2.0))  # (up to this far from the meeting point, cell side)
COARSEST_KM = CELL_KM[-1][1]


def _snap(lat: float, lon: float, hub_lat: float, hub_lon: float, side_km: float) -> tuple[float, float]:
    """The centre of the cell of side ``side_km`` holding the point; the grid has a corner at the
    meeting point, so every cell of 500 m lies inside one cell of 1 km and one of 2 km."""
    dlat = side_km / KM_PER_DEGREE
    dlon = side_km / (KM_PER_DEGREE * math.cos(math.radians(hub_lat)))
    row, col = math.floor((lat - hub_lat) / dlat), math.floor((lon - hub_lon) / dlon)
    return round(hub_lat + (row + 0.5) * dlat, 5), round(hub_lon + (col + 0.5) * dlon, 5)


def cell_km(lat: float, lon: float, hub_lat: float, hub_lon: float) -> float:
    """The side of the cell a point is stored in, chosen by how far its coarsest cell lies from
    the meeting point (so that storing a stored point again leaves it where it is)."""
    far = crow_km(hub_lat, hub_lon, *_snap(lat, lon, hub_lat, hub_lon, COARSEST_KM))
    return next(side for limit, side in CELL_KM if far <= limit)


def coarse(lat: float, lon: float, hub_lat: float, hub_lon: float) -> tuple[float, float]:
    """Where a home is stored and planned from: the centre of its cell."""
    return _snap(lat, lon, hub_lat, hub_lon, cell_km(lat, lon, hub_lat, hub_lon))


def nearest(lat: float, lon: float) -> Area:
    """The listed municipality whose centre is nearest: the only place name a located home gets."""
    return min(areas(), key=lambda a: crow_km(lat, lon, a.lat, a.lon))
