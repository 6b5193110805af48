"""Tonight's state as a ``nightstay.night/1`` document for the planner.

The document leaves the database with no name and no address: parties are named by their
ticket code, homes and drivers by opaque ids (``H-`` and ``D-`` and part of a random uuid),
places by the coordinates already rounded when they were stored. ``Ids`` maps the opaque
ids back to rows when a plan comes back.

A stay's guest (``stays``) is in it once at most: on a stay's first night made from a
placement, as that pinned placement (``fixed``); on its other nights not at all, the beds it
holds taken from the host's (``_gone``).

It is valid by construction: pledges that cannot be written in the format (no bed left, an
hour the wrong way round) are left out, and a pin that no plan could keep (the place now
refuses the party, or is full) is not passed on as ``fixed``. ``build`` checks the result
with the planner's own reader all the same.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.utils import timezone

from nightstay.hubs.models import Night, Shelter, gender_list
from nightstay.intake.models import Party
from nightstay.planner import read_night
from nightstay.planner.night import Location, Travel
from nightstay.pledges.models import BedPledge, Home, SeatPledge

from . import events, stays
from .models import Placement

FORMAT = "nightstay.night/1"
TRAVEL = Travel().to_json()  # the format's defaults: city streets at night
IN_THE_PARK = (Party.Status.WAITING, Party.Status.PLACED)
GONE_TO_A_BED = (Party.Status.ON_THE_WAY, Party.Status.ARRIVED)
BED_TAKEN = (*GONE_TO_A_BED, Party.Status.STAYING)  # a stay's guest goes straight to its host: its beds are held


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


def place_id(row) -> str:
    """The place id of a placement or a stop, from its keys alone (no query for the home or shelter)."""
    return f"H-{row.home_id.hex[:12]}" if row.home_id else f"S-{row.shelter_id}"


def at(night: Night, t: time) -> datetime:
    """A clock time during ``night``: hours before the window's start are after midnight."""
    day = night.date + timedelta(days=1) if t < night.hub.window_start else night.date
    return timezone.make_aware(datetime.combine(day, t), timezone.get_current_timezone())


def _iso(moment: datetime) -> str:
    return timezone.localtime(moment).isoformat()


def _langs(text: str) -> list[str]:
    return sorted({x.strip().lower() for x in text.split(",") if x.strip()})


def moment(night: Night, at: datetime | None = None) -> datetime:
    """T, the moment a plan is made from: now (or ``at``) to the minute, within the night's window."""
    return min(max((at or timezone.now()).replace(second=0, microsecond=0), night.start), night.end)


def build(night: Night, at: datetime | None = None) -> tuple[dict, Ids]:
    """The night document of what is still to decide at ``at`` (default now), as NIGHT-FORMAT.md's
    "Planning again during the night" says, and the ids it uses; raises ``NightError`` only on a bug.

    Before anything has left the park it is the whole night: nothing is gone, every bed is free.
    """
    hub = night.hub
    t = moment(night, at)
    stays.bring_in(night)  # a stay made after the night opened holds its beds all the same
    ids = Ids()
    gone = _gone(night)
    hosts = _hosts(night, ids, gone)
    shelters = _shelters(night, ids, gone)
    drivers = _drivers(night, ids, t)

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
        "window": {"start": _iso(t), "end": _iso(night.end)},
        "travel": TRAVEL,
        "parties": parties, "shelters": shelters, "hosts": hosts, "drivers": drivers, "fixed": [],
    }
    doc["fixed"] = _keepable_pins(night, doc, ids)
    announced = _announced(night, doc)
    if announced:
        doc["announced"] = announced
    read_night(doc)  # the reader ignores keys it does not know (``announced`` on an older planner)
    return doc, ids


@dataclass
class Gone:
    """Guests already gone from the park tonight (walking, in a car, with a host, arrived) or on a
    stay (never in the park), by place."""

    people: Counter = field(default_factory=Counter)
    kinds: dict = field(default_factory=dict)  # place pk -> {"m", "f", "mixed"} received
    self_left: set = field(default_factory=set)  # self-pickup homes whose host has left the park


def _gone(night: Night) -> Gone:
    gone = Gone()
    rows = Placement.objects.filter(night=night, party__status__in=BED_TAKEN).values_list(
        "home", "shelter", "party__size", "party__gender", "party__status")
    for home, shelter, size, gender, status in rows:
        key = ("home", home) if home else ("shelter", shelter)
        gone.people[key] += size
        gone.kinds.setdefault(key, set()).add(gender)
        if home and status != Party.Status.STAYING:
            gone.self_left.add(home)  # only counts for a self-pickup host (its guests left with it)
    return gone


def _narrowed(genders: list[str], received: set) -> list[str]:
    """A host that received men takes no woman or family any more, and the other way round."""
    if "m" in received:
        return [g for g in genders if g == "m"]
    if received & {"f", "mixed"}:
        return [g for g in genders if g != "m"]
    return genders


def _hosts(night: Night, ids: Ids, gone: Gone) -> list[dict]:
    """Open bed pledges (a cancelled or withdrawn one is not open) with their free beds."""
    hosts = []
    pledges = BedPledge.objects.filter(home__hub=night.hub).select_related("home").order_by("-beds", "id")
    for pledge in pledges.open_on(night.date):
        home = pledge.home
        hid, key = home_id(home), ("home", home.pk)
        beds = pledge.beds - gone.people[key]
        genders = _narrowed(gender_list(pledge.genders), gone.kinds.get(key, set()))
        ready, latest = at(night, pledge.ready_from), at(night, pledge.latest_arrival)
        if hid in ids.homes or beds < 1 or latest < ready or not genders:
            continue
        if pledge.pickup == "self" and home.pk in gone.self_left:
            continue  # the host drove home with the guests it took: it takes nobody more
        ids.homes[hid], ids.pledges[hid] = home, pledge
        hosts.append({
            "id": hid, "location": {"lat": home.lat, "lon": home.lon}, "beds": beds, "pickup": pledge.pickup,
            "accepts": {"genders": genders, "minors": pledge.minors, "max_party": max(1, pledge.max_party)},
            "languages": _langs(pledge.languages), "ready_from": _iso(ready), "latest_arrival": _iso(latest),
            "welcomes_back": pledge.welcomes_back,
        })
    return hosts


def _shelters(night: Night, ids: Ids, gone: Gone) -> list[dict]:
    """Active shelters with their free beds; a dormitory that said it is full is out."""
    full = events.full_shelters(night)
    shelters = []
    # open_for: the hub's shelters and the beds another hub lent for tonight (network offers).
    for shelter in Shelter.objects.open_for(night).filter(beds__gte=1).order_by("pk"):
        key = ("shelter", shelter.pk)
        beds = shelter.beds - gone.people[key]
        genders = gender_list(shelter.genders)  # a shelter has rooms of its own: no narrowing
        if shelter.pk in full or beds < 1:
            continue
        sid = shelter_id(shelter)
        ids.shelters[sid] = shelter
        shelters.append({"id": sid, "name": shelter.name, "location": {"lat": shelter.lat, "lon": shelter.lon},
                         "beds": beds, "reach": shelter.reach,
                         "accepts": {"genders": genders, "minors": shelter.minors}})
    return shelters


def _drivers(night: Night, ids: Ids, t: datetime) -> list[dict]:
    """Drivers still to count on: at the park from their pledge's hour (plus what they said they
    run late), or back from the trip they are on; one who did not come or went home is out."""
    out = events.drivers_out(night)
    back = _back_at(night)
    drivers = []
    seats = SeatPledge.objects.filter(hub=night.hub, seats__gte=1).order_by("available_from", "id")
    for pledge in seats.open_on(night.date):
        if pledge.driver_id in out:
            continue
        start, until = at(night, pledge.available_from), at(night, pledge.available_until)
        if pledge.driver_id in back:
            trip = back[pledge.driver_id]
            late = events.late_minutes(night, pledge.driver_id, trip.departed_at)
            start = max(start, back_at_park(trip, t, late))
        else:
            late = events.late_minutes(night, pledge.driver_id)
        start = max(start, t) + timedelta(minutes=late)
        if until < start:
            continue
        did = driver_id(pledge)
        ids.drivers[did] = pledge
        drivers.append({"id": did, "seats": pledge.seats, "home": {"lat": pledge.home_lat, "lon": pledge.home_lon},
                        "available_from": _iso(start), "available_until": _iso(until)})
    return drivers


def _back_at(night: Night) -> dict:
    """Drivers on the road: the last trip of each that has left."""
    back = {}
    for trip in night.trips.filter(departed_at__isnull=False).select_related("night__hub").order_by("departed_at"):
        back[trip.driver_id] = trip
    return back


def back_at_park(trip, t: datetime, late: int = 0) -> datetime:
    """When the driver of ``trip`` (which has left) can be at the meeting point again; the
    ``late`` minutes they reported since it left are added by the caller, and only tell here
    how far along the trip is.

    A trip that ends at the park is back at its ``end_at``. One that ends at home was the end of
    the driver's night only because nothing more was to do when it was planned; the driver
    pledged until ``available_until``, so a coordinator may call them back. Until the last drop
    is done the car can turn back from the last stop; after it the driver is on the way home
    and nobody knows where on it, so they are counted from home: at home (``end_at``, or now if
    later), then the drive back. Never from the last stop once it is behind them: at T such a
    driver is not at the park, and a trip leaving at T would be one no car could follow."""
    return call_back(trip, t, late)[0]


def call_back(trip, t: datetime, late: int = 0) -> tuple[datetime, float]:
    """``back_at_park`` and how many more kilometres ``trip`` drives once it ends at the park
    (what ``Trip.km`` and the night's figures must add when it is called back)."""
    if trip.end == "meeting_point":
        return trip.end_at, 0.0
    travel, hub = Travel(), trip.night.hub
    park = Location(hub.meeting_lat, hub.meeting_lon)
    pledge = SeatPledge.objects.filter(hub=hub, driver_id=trip.driver_id).open_on(trip.night.date)
    home = Location(pledge[0].home_lat, pledge[0].home_lon) if pledge else park
    last = trip.stops.select_related("home", "shelter").order_by("-order").first()
    if last is not None:
        dropped = last.arrive + timedelta(seconds=travel.drop_seconds)
        if t <= dropped + timedelta(minutes=late):  # turns back at the last stop instead of going home
            where = last.home or last.shelter
            stop = Location(where.lat, where.lon)
            return (dropped + timedelta(seconds=travel.drive_seconds(stop, park)),
                    travel.km(stop, park) - travel.km(stop, home))
    return max(t, trip.end_at) + timedelta(seconds=travel.drive_seconds(home, park)), travel.km(home, park)


def _keepable_pins(night: Night, doc: dict, ids: Ids) -> list[dict]:
    """The coordinators' pins that a plan can keep, as ``fixed``."""
    model = read_night(doc)
    parties, places = model.party_by_id, model.places
    people, kinds, fixed = Counter(), {}, []
    pins = (Placement.objects.filter(night=night, party__status__in=IN_THE_PARK, pinned=True)
            .select_related("party", "home", "shelter").order_by("party__waiting_since"))
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


def _announced(night: Night, doc: dict) -> list[dict]:
    """Placements announced earlier, of parties and places still in the night."""
    parties = {p["id"] for p in doc["parties"]}
    places = {p["id"] for p in (*doc["hosts"], *doc["shelters"])}
    rows = (Placement.objects.filter(night=night, announced=True, party__status__in=IN_THE_PARK)
            .select_related("party", "home", "shelter").order_by("party__waiting_since", "party__ticket"))
    return [{"party": r.party.ticket, "place": place_id(r)} for r in rows
            if r.party.ticket in parties and place_id(r) in places]


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
