"""Municipalities shipped with the site: a coarse way to place a home without its phone.

There is no geocoding service: an address never leaves the site. A host either lets the
phone say where the home is (rounded to ~100 m before it is sent, and again here) or picks
the municipality, whose rough centre stands in for the home (see ``data/areas.json``).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

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


def km_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def nearest(lat: float, lon: float) -> Area:
    """The listed municipality whose centre is nearest: the only place name a located home gets."""
    return min(areas(), key=lambda a: km_between(lat, lon, a.lat, a.lon))
