"""Municipalities shipped with the site: a coarse way to place a home without its phone.

There is no geocoding service: an address never leaves the site. A host either lets the
phone say where the home is (rounded to ~100 m before it is sent, and again here) or picks
the municipality, whose rough centre stands in for the home (see ``data/areas.json``).
"""
from __future__ import annotations

import json
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


def nearest(lat: float, lon: float) -> Area:
    """The listed municipality whose centre is nearest: the only place name a located home gets."""
    return min(areas(), key=lambda a: crow_km(lat, lon, a.lat, a.lon))
