"""Demo nights: realistic nightstay.night/1 documents for trying, testing and benchmarking.

The figures are calibrated on the Brussels citizen platform of 2017-18 as the press reported it:
every evening at Maximilien Park some 400 to 550 people waited, almost all men; about 20
volunteer drivers and 100 to 150 hosts came; a 120-bed dormitory a 15-minute walk away took
about 120 men, and the others slept in homes around the city, a few as far as Namur (70 km),
whose hosts often drove in themselves. Families, women alone and minors are few but must come
first; arrivals at the park run from early evening to about 22:30.

A night is a pure function of ``(scenario, seed, people)``: everything random is drawn from one
``random.Random(seed)``, so a seed names a night in tests, bug reports and the benchmark table.
``people`` rescales a scenario (hosts, beds, drivers and shelters alike) for size sweeps.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from .night import Travel, crow_km

FORMAT = "nightstay.night/1"
TZ = timezone(timedelta(hours=1))  # Brussels in winter

# Real places (WGS84). Maximilien Park is the meeting point of the Brussels hub.
MAXIMILIEN_PARK = (50.8572, 4.3520)
BRUSSELS = (50.8467, 4.3572)
TOWNS = {
    "Leuven": (50.8798, 4.7005),
    "Mechelen": (51.0259, 4.4776),
    "Wavre": (50.7172, 4.6014),
    "Aalst": (50.9378, 4.0403),
    "Namur": (50.4674, 4.8718),
}
NAMUR_STATION = (50.4686, 4.8625)

# One speed for every leg (the format has one): between night-time city streets (~25 km/h)
# and the motorway to Namur (~90 km/h), so a city drop takes ~10 minutes and Namur ~1h45.
# Everything else as the format's defaults (``Travel()``), which the platform's night files use.
TRAVEL = Travel(drive_kmh=45).to_json()

DORMITORY_WALK_KM = 0.87  # great-circle: 0.87 km x 1.3 at 4.5 km/h is the reported 15-minute walk


@dataclass(frozen=True)
class Scenario:
    """What a scenario draws from; ranges are (low, high) before any ``people`` rescaling."""

    description: str
    people: tuple[int, int]
    hosts: tuple[int, int]
    drivers: tuple[int, int]
    far_hosts: float = 0.15  # share of hosts living outside the hub's town
    self_pickup: float = 0.33  # share of hosts who fetch their guests themselves
    dormitory_beds: int = 120  # walk dormitory for men; 0: none
    family_beds: int = 30  # drive-to shelter for women, families and minors; 0: none
    rotation: float = 0.1  # share of parties who slept outside some of the last 7 nights
    hub: str = "Brussels"


SCENARIO_SPECS: dict[str, Scenario] = {
    "normal": Scenario("A normal Brussels night: ~470 people, ~120 hosts, ~20 drivers, the 120-bed dormitory.",
                       people=(420, 520), hosts=(100, 140), drivers=(18, 22)),
    "winter": Scenario("A cold-wave night: ~700 people, more hosts and drivers answer the call, still short.",
                       people=(660, 740), hosts=(150, 190), drivers=(24, 30), rotation=0.4),
    "host-shortage": Scenario("Too few beds: ~470 people, 50-70 hosts; fair rotation decides who comes in.",
                              people=(420, 520), hosts=(50, 70), drivers=(18, 22), rotation=0.7),
    "few-drivers": Scenario("Beds enough but only 6-9 drivers: cars are the bottleneck.",
                            people=(420, 520), hosts=(100, 140), drivers=(6, 9)),
    "far-hosts": Scenario("Most hosts live outside Brussels (Leuven, Mechelen, Wavre, Aalst, Namur).",
                          people=(420, 520), hosts=(100, 140), drivers=(18, 22), far_hosts=0.7),
    "small-hub": Scenario("A smaller town's hub (Namur): 40-80 people, a few hosts and drivers, no dormitory, "
                          "6 family beds.",
                          people=(40, 80), hosts=(15, 30), drivers=(3, 6), dormitory_beds=0, family_beds=6,
                          hub="Namur"),
}
SCENARIOS: dict[str, str] = {name: s.description for name, s in SCENARIO_SPECS.items()}

# Party profiles: (weight, kind). Sizes and flags are drawn in ``_party``.
PARTY_KINDS = [(74, "man"), (12, "friends"), (4, "medical"), (2, "minor"), (3, "woman"), (1, "women"),
               (4, "family")]
# Languages people at the park speak, by profile (no nationality is recorded, only languages).
SPEAKERS = [(18, ["ar"]), (18, ["ar", "en"]), (8, ["ar", "fr"]), (4, ["ti"]), (10, ["ti", "en"]), (5, ["ti", "it"]),
            (6, ["am", "en"]), (2, ["am"]), (6, ["so", "en"]), (2, ["so", "it"]), (3, ["so", "ar"]), (8, ["fr", "en"]),
            (3, ["en"]), (1, ["nl", "en"]), (6, ["ar", "it"])]
# Many hosts get by with gestures and a phone: an empty list means they take any language.
HOST_LANGUAGES = [(35, []), (22, ["fr", "en"]), (12, ["nl", "en"]), (8, ["fr", "nl", "en"]), (5, ["fr"]), (3, ["nl"]),
                  (8, ["fr", "en", "ar"]), (2, ["nl", "en", "ar"]), (3, ["fr", "it", "en"]), (2, ["ar"])]
BED_WEIGHTS = [(22, 1), (33, 2), (22, 3), (10, 4), (5, 5), (4, 6), (2, 8), (2, 10)]  # ~2.8 a home, as reported
SEAT_WEIGHTS = [(5, 2), (40, 3), (45, 4), (10, 6)]


def _pick(rng: random.Random, weighted):
    return rng.choices([v for _, v in weighted], weights=[w for w, _ in weighted])[0]


def _near(rng: random.Random, centre: tuple[float, float], km: float) -> dict:
    """A point around ``centre``, normally spread with ``km`` standard deviation."""
    lat = centre[0] + rng.gauss(0, km / 111.2)
    lon = centre[1] + rng.gauss(0, km / (111.2 * math.cos(math.radians(centre[0]))))
    return {"lat": round(lat, 5), "lon": round(lon, 5)}


def _offset(centre: tuple[float, float], km: float, bearing_deg: float) -> dict:
    b = math.radians(bearing_deg)
    lat = centre[0] + km * math.cos(b) / 111.195
    lon = centre[1] + km * math.sin(b) / (111.195 * math.cos(math.radians(centre[0])))
    return {"lat": round(lat, 5), "lon": round(lon, 5)}


def _road_km(a: dict, b: dict) -> float:
    return crow_km(a["lat"], a["lon"], b["lat"], b["lon"]) * TRAVEL["road_factor"]


def _width(n: int) -> int:
    return max(3, len(str(n)))


def _scaled(rng: random.Random, bounds: tuple[int, int], factor: float, least: int = 1) -> int:
    return max(least, round(rng.uniform(*bounds) * factor))


def make_night(scenario: str, seed: int, people: int | None = None) -> dict:
    """A nightstay.night/1 document for ``scenario``, the same for the same arguments.

    ``people`` (when given) sets the number of people exactly and scales hosts, drivers and
    shelter beds by the same factor, so a size sweep keeps the scenario's proportions.
    """
    if scenario not in SCENARIO_SPECS:
        raise ValueError(f"unknown scenario {scenario!r}; one of {', '.join(SCENARIO_SPECS)}")
    if people is not None and people < 1:
        raise ValueError("people must be at least 1")
    spec = SCENARIO_SPECS[scenario]
    rng = random.Random(seed)
    if people is None:
        target, factor = rng.randint(*spec.people), 1.0
    else:
        target, factor = people, people / (sum(spec.people) / 2)

    # A Monday of January 2018; the winter scenario on a night of the February 2018 cold wave.
    day = datetime(2018, 2, 27, tzinfo=TZ) if scenario == "winter" else datetime(2018, 1, 15, tzinfo=TZ)

    def clock(hours: float) -> datetime:
        """``hours`` after midnight of ``day`` (24.5 is 00:30 the next morning), to the minute."""
        return day + timedelta(minutes=round(hours * 60))

    start, end = clock(19), clock(25)
    if spec.hub == "Namur":
        hub_name, meeting, home_town, spread = "Namur station", NAMUR_STATION, NAMUR_STATION, 2.5
        towns = {"Wavre": TOWNS["Wavre"], "Leuven": TOWNS["Leuven"], "Brussels": BRUSSELS}
    else:
        hub_name, meeting, home_town, spread = "Maximilien Park", MAXIMILIEN_PARK, BRUSSELS, 3.0
        towns = TOWNS
    meeting_point = {"lat": meeting[0], "lon": meeting[1]}

    shelters = []
    if spec.dormitory_beds:
        shelters.append({
            "id": "S1", "name": "Dormitory (15 minutes' walk)",
            "location": _offset(MAXIMILIEN_PARK, DORMITORY_WALK_KM, 40.0),
            "beds": max(1, round(spec.dormitory_beds * factor)), "reach": "walk",
            "accepts": {"genders": ["m"], "minors": False},
        })
    if spec.family_beds:
        shelters.append({
            "id": f"S{len(shelters) + 1}", "name": "Family shelter",
            "location": _offset(home_town, 2.6, 150.0),
            "beds": max(1, round(spec.family_beds * factor)), "reach": "drive",
            "accepts": {"genders": ["f", "mixed"], "minors": True},
        })

    def where(far_share: float) -> dict:
        if rng.random() < far_share:
            return _near(rng, towns[rng.choice(sorted(towns))], 2.0)
        return _near(rng, home_town, spread)

    n_hosts = _scaled(rng, spec.hosts, factor)
    hosts = []
    for i in range(n_hosts):
        loc = where(spec.far_hosts)
        dist = _road_km(meeting_point, loc)
        far = dist > 20
        pickup = "self" if rng.random() < (min(0.9, spec.self_pickup * 1.8) if far else spec.self_pickup) else "driver"
        beds = _pick(rng, BED_WEIGHTS)
        r = rng.random()
        genders = ["m"] if r < 0.62 else ["m", "f", "mixed"] if r < 0.85 else ["f", "mixed"] if r < 0.97 else ["f"]
        minors = rng.random() < (0.6 if "m" not in genders else 0.25 if len(genders) == 3 else 0.0)
        max_party = min(beds, rng.choice([1, 2, 2, 3, 4]) if genders == ["m"] else rng.choice([2, 3, 4, 4]))
        drive_h = (TRAVEL["board_minutes"] / 60 + dist / TRAVEL["drive_kmh"]) if pickup == "self" else 0.25
        # A host ready at ``ready_from`` can be reached before ``latest_arrival``: no dead offers.
        ready = rng.uniform(19.5, min(22.0, 24.75 - drive_h))
        latest = rng.uniform(max(22.5, ready + drive_h + 0.5), max(24.5, ready + drive_h + 0.5))
        hosts.append({
            "id": f"H{i + 1:0{_width(n_hosts)}d}", "location": loc, "beds": beds, "pickup": pickup,
            "accepts": {"genders": genders, "minors": minors, "max_party": max(1, max_party)},
            "languages": list(_pick(rng, HOST_LANGUAGES)),
            "ready_from": clock(ready).isoformat(), "latest_arrival": clock(min(latest, 25.0)).isoformat(),
            "welcomes_back": rng.random() < 0.3,
        })

    n_drivers = _scaled(rng, spec.drivers, factor)
    drivers = []
    for i in range(n_drivers):
        drivers.append({
            "id": f"D{i + 1:0{max(2, len(str(n_drivers)))}d}", "seats": _pick(rng, SEAT_WEIGHTS),
            "home": where(0.12),
            "available_from": clock(rng.uniform(20.5, 22.0)).isoformat(),
            "available_until": clock(rng.uniform(23.5, 25.0)).isoformat(),
        })

    parties = []
    total = 0
    while total < target:
        party = _party(rng, spec, target - total, clock)
        total += party["size"]
        parties.append(party)
    parties.sort(key=lambda p: p["waiting_since"])  # stable: numbered in the order they reach the park
    width = _width(len(parties))
    for i, p in enumerate(parties):
        p["id"] = f"P{i + 1:0{width}d}"
    _returning(rng, parties, hosts)

    return {
        "format": FORMAT,
        "hub": {"name": hub_name, "meeting_point": meeting_point},
        "window": {"start": start.isoformat(), "end": end.isoformat()},
        "travel": dict(TRAVEL),
        "parties": parties,
        "shelters": shelters,
        "hosts": hosts,
        "drivers": drivers,
        "fixed": [],
    }


def _party(rng: random.Random, spec: Scenario, room: int, clock) -> dict:
    kind = _pick(rng, PARTY_KINDS)
    gender, minor, vulnerable, size = "m", False, False, 1
    if kind == "friends":
        size = rng.choice([2, 2, 2, 3])
    elif kind == "medical":
        vulnerable = True
    elif kind == "minor":
        minor = vulnerable = True
    elif kind == "woman":
        gender, vulnerable = "f", True
    elif kind == "women":
        gender, vulnerable, size = "f", True, 2
    elif kind == "family":
        gender, size = "mixed", rng.choice([2, 3, 3, 4, 4, 4, 5])
        minor = vulnerable = size > 2 or rng.random() < 0.5
    if size > room:  # the last people of an exact count: men together
        gender, minor, vulnerable, size = "m", False, False, room
    # Arrivals at the park spread over the evening, most of them between 19:30 and 21:30.
    waiting = min(22.5, max(18.5, rng.triangular(18.5, 22.5, 20.3)))
    out = 0
    if rng.random() < spec.rotation:
        out = rng.randint(1, 7)
    return {
        "id": "", "size": size, "gender": gender, "minor": minor, "vulnerable": vulnerable,
        "languages": list(_pick(rng, SPEAKERS)) if rng.random() > 0.03 else [],
        "waiting_since": clock(waiting).isoformat(), "returning_to": None, "nights_outside": out,
    }


def _returning(rng: random.Random, parties: list[dict], hosts: list[dict]) -> None:
    """About one party in ten returns to a host who said they would welcome them back."""
    welcoming = [h for h in hosts if h["welcomes_back"]]
    for p in parties:
        if rng.random() >= 0.1:
            continue
        fits = [h for h in welcoming if _accepts(h, p)]
        if fits:
            p["returning_to"] = rng.choice(fits)["id"]


def _accepts(host: dict, party: dict) -> bool:
    acc = host["accepts"]
    langs_ok = not host["languages"] or not party["languages"] or set(host["languages"]) & set(party["languages"])
    return (party["gender"] in acc["genders"] and (acc["minors"] or not party["minor"])
            and party["size"] <= acc["max_party"] and bool(langs_ok))
