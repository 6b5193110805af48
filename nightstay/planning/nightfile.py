"""Tonight's state as a ``nightstay.night/1`` document for the planner.

The document leaves the database with no name and no address: parties are named by their
ticket code, homes and drivers by opaque ids (``H-`` and ``D-`` and part of a random uuid),
places by the coordinates already rounded when they were stored. ``Ids`` maps the opaque
ids back to rows when a plan comes back.

It is valid by construction: pledges that cannot be written in the format (no bed left, an
hour the wrong way round) are left out, and a pin that no plan could keep (the place now
refuses the party, or is full) is not passed on as ``fixed``. ``build`` checks the result
with the planner's own reader all the same.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from nightstay.hubs.models import Night, Shelter, gender_list
from nightstay.intake.models import Party
from nightstay.planner import read_night
from nightstay.planner.night import Travel
from nightstay.pledges.models import BedPledge, Home, SeatPledge

from .models import Placement

FORMAT = "nightstay.night/1"
TRAVEL = Travel().to_json()  # the format's defaults: city streets at night
IN_THE_PARK = (Party.Status.WAITING, Party.Status.PLACED)
GONE_TO_A_BED = (Party.Status.ON_THE_WAY, Party.Status.ARRIVED)


@dataclass
class Ids:
    """Opaque ids of tonight's document and the rows they stand for."""

    parties: dict[str, Party] = field(default_factory=dict)
    homes: dict[str, Home] = field(default_factory=dict)
    shelters: dict[str, Shelter] = field(default_factory=dict)
    drivers: dict[str, SeatPledge] = field(default_factory=dict)
    pledges: dict[str, BedPledge] = field(default_factory=dict)  # by host id

    def place(self, place_id: str):
        return self.homes.get(place_id) or self.shelters.get(place_id)

    def where(self, place_id: str) -> dict:
        """A place as the fields of a placement or a stop: ``home`` or ``shelter``."""
        if place_id in self.homes:
            return {"home": self.homes[place_id], "shelter": None}
        return {"home": None, "shelter": self.shelters[place_id]}


def home_id(home: Home) -> str:
    return f"H-{home.id.hex[:12]}"


def driver_id(pledge: SeatPledge) -> str:
    return f"D-{pledge.id.hex[:12]}"


def shelter_id(shelter: Shelter) -> str:
    return f"S-{shelter.pk}"


def place_id(placement) -> str:
    return home_id(placement.home) if placement.home_id else shelter_id(placement.shelter)


def at(night: Night, t: time) -> datetime:
    """A clock time during ``night``: hours before the window's start are after midnight."""
    day = night.date + timedelta(days=1) if t < night.hub.window_start else night.date
    return timezone.make_aware(datetime.combine(day, t), timezone.get_current_timezone())


def _iso(moment: datetime) -> str:
    return timezone.localtime(moment).isoformat()


def _langs(text: str) -> list[str]:
    return sorted({x.strip().lower() for x in text.split(",") if x.strip()})


def build(night: Night) -> tuple[dict, Ids]:
    """The night document for ``night`` and the ids it uses; raises ``NightError`` only on a bug."""
    hub = night.hub
    ids = Ids()
    taken = Counter()  # beds already used tonight by guests on the way or arrived
    for home_pk, size in Party.objects.filter(night=night, status__in=GONE_TO_A_BED,
                                              placement__home__isnull=False).values_list("placement__home", "size"):
        taken[home_pk] += size

    hosts = []
    pledges = BedPledge.objects.filter(home__hub=hub).select_related("home").order_by("-beds", "id").open_on(night.date)
    for pledge in pledges:
        home = pledge.home
        hid = home_id(home)
        beds = pledge.beds - taken[home.pk]
        ready, latest = at(night, pledge.ready_from), at(night, pledge.latest_arrival)
        if hid in ids.homes or beds < 1 or latest < ready:
            continue
        ids.homes[hid], ids.pledges[hid] = home, pledge
        hosts.append({
            "id": hid, "location": {"lat": home.lat, "lon": home.lon}, "beds": beds, "pickup": pledge.pickup,
            "accepts": {"genders": gender_list(pledge.genders), "minors": pledge.minors,
                        "max_party": max(1, pledge.max_party)},
            "languages": _langs(pledge.languages), "ready_from": _iso(ready), "latest_arrival": _iso(latest),
            "welcomes_back": pledge.welcomes_back,
        })

    shelters = []
    # open_for: the hub's shelters and the beds another hub lent for tonight (network offers).
    for shelter in Shelter.objects.open_for(night).filter(beds__gte=1).order_by("pk"):
        sid = shelter_id(shelter)
        ids.shelters[sid] = shelter
        shelters.append({"id": sid, "name": shelter.name, "location": {"lat": shelter.lat, "lon": shelter.lon},
                         "beds": shelter.beds, "reach": shelter.reach,
                         "accepts": {"genders": gender_list(shelter.genders), "minors": shelter.minors}})

    drivers = []
    busy_until = _busy_until(night)
    seats = SeatPledge.objects.filter(hub=hub, seats__gte=1).order_by("available_from", "id").open_on(night.date)
    for pledge in seats:
        start, until = at(night, pledge.available_from), at(night, pledge.available_until)
        start = max(start, busy_until.get(pledge.driver_id, start))
        if until < start:
            continue
        did = driver_id(pledge)
        ids.drivers[did] = pledge
        drivers.append({"id": did, "seats": pledge.seats, "home": {"lat": pledge.home_lat, "lon": pledge.home_lon},
                        "available_from": _iso(start), "available_until": _iso(until)})

    parties = []
    for party in Party.objects.filter(night=night, status__in=IN_THE_PARK).order_by("waiting_since", "ticket"):
        ids.parties[party.ticket] = party
        returning = home_id(party.returning_to) if party.returning_to_id else None
        parties.append({
            "id": party.ticket, "size": party.size, "gender": party.gender, "minor": party.minor,
            "vulnerable": party.vulnerable, "languages": _langs(party.languages),
            "waiting_since": _iso(party.waiting_since),
            "returning_to": returning if returning in ids.homes else None,
            "nights_outside": min(7, party.nights_outside),
        })

    doc = {
        "format": FORMAT,
        "hub": {"name": hub.name, "meeting_point": {"lat": hub.meeting_lat, "lon": hub.meeting_lon}},
        "window": {"start": _iso(night.start), "end": _iso(night.end)},
        "travel": TRAVEL,
        "parties": parties, "shelters": shelters, "hosts": hosts, "drivers": drivers, "fixed": [],
    }
    doc["fixed"] = _keepable_pins(night, doc, ids)
    read_night(doc)
    return doc, ids


def _busy_until(night: Night) -> dict:
    """Drivers out on a trip that has left: free again when that trip ends."""
    busy = {}
    for trip in night.trips.filter(departed_at__isnull=False):
        busy[trip.driver_id] = max(busy.get(trip.driver_id, trip.end_at), trip.end_at)
    return busy


def _keepable_pins(night: Night, doc: dict, ids: Ids) -> list[dict]:
    """Pinned or announced placements that a plan can keep, as ``fixed``."""
    model = read_night(doc)
    parties, places = model.party_by_id, model.places
    people, kinds, fixed = Counter(), {}, []
    pins = (Placement.objects.filter(night=night, party__status__in=IN_THE_PARK)
            .filter(Q(pinned=True) | Q(announced=True)).select_related("party", "home", "shelter")
            .order_by("party__waiting_since"))
    for pin in pins:
        party, place = parties.get(pin.party.ticket), places.get(place_id(pin))
        if party is None or place is None or place.refuses(party):
            continue
        if people[place.id] + party.size > place.beds:
            continue
        if place.is_host and kinds.get(place.id, {party.kind}) != {party.kind}:
            continue
        people[place.id] += party.size
        kinds.setdefault(place.id, {party.kind})
        fixed.append({"party": party.id, "place": place.id})
    return fixed



def rows(night: Night, doc: dict) -> Ids:
    """The rows behind the ids of a night document made earlier for ``night``."""
    ids = Ids()
    wanted = {h["id"] for h in doc["hosts"]}
    for home in Home.objects.filter(hub_id=night.hub_id).select_related("host"):
        if home_id(home) in wanted:
            ids.homes[home_id(home)] = home
    for shelter in Shelter.objects.filter(hub_id=night.hub_id):
        ids.shelters[shelter_id(shelter)] = shelter
    wanted = {d["id"] for d in doc["drivers"]}
    for pledge in SeatPledge.objects.filter(hub_id=night.hub_id).select_related("driver"):
        if driver_id(pledge) in wanted:
            ids.drivers[driver_id(pledge)] = pledge
    tickets = [p["id"] for p in doc["parties"]]
    ids.parties = {p.ticket: p for p in Party.objects.filter(night=night, ticket__in=tickets)}
    return ids
