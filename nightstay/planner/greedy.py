"""The coordinator's greedy: what a careful volunteer does at the park with a list and a phone.

It is the baseline the solver must beat, and the plan the platform can show at once while the
solver thinks. It follows the rules coordinators give each other, in their order:

1. People are served in line: vulnerable first (medical need, women alone, families, minors),
   then whoever slept outside most of the last seven nights, then first come, first served.
2. Each party goes to the first place that takes it: the host who asked to see them again,
   else the walk dormitory (no car needed), else a host who fetches guests himself, else the
   nearest home or shelter a driver must reach.
3. Each driver, when free at the park, takes the next people in line bound for a car place and
   fills the remaining seats with the parties whose places are nearest to the stops already in
   the car; drives them, comes back for the next trip, and goes home after the last.
4. Nobody is sent off on a trip that would break a deadline: such parties wait for another
   driver; those no driver can take in time try another place, else stay unplaced tonight.

Every time comes from ``plan.time_trip`` and its siblings, so the plan is valid by construction.
"""
from __future__ import annotations

import heapq
import time
from dataclasses import dataclass, field

from .night import Driver, Host, Night, Party, Shelter
from .plan import Placement, Plan, Stop, Trip, self_pickup_arrival, time_trip, walk_arrival

Place = Host | Shelter
ROUNDS = 3  # how many times parties no driver could take are offered another car place


def priority(party: Party) -> tuple:
    """The line at the park: vulnerable first, then most nights outside, then first come."""
    return (not party.vulnerable, -party.nights_outside, party.waiting_since, party.id)


@dataclass
class _Beds:
    """What is promised at each place so far: people and which kind (men / women and families)."""

    night: Night
    used: dict[str, int] = field(default_factory=dict)
    kinds: dict[str, dict[str, int]] = field(default_factory=dict)

    def room(self, place: Place, party: Party) -> bool:
        if self.used.get(place.id, 0) + party.size > place.beds:
            return False
        if place.is_host:
            other = "f" if party.kind == "m" else "m"
            if self.kinds.get(place.id, {}).get(other):
                return False
        return True

    def take(self, place: Place, party: Party) -> None:
        self.used[place.id] = self.used.get(place.id, 0) + party.size
        k = self.kinds.setdefault(place.id, {})
        k[party.kind] = k.get(party.kind, 0) + 1

    def release(self, place: Place, party: Party) -> None:
        self.used[place.id] -= party.size
        self.kinds[place.id][party.kind] -= 1


@dataclass
class _Car:
    """A driver's evening as the greedy plays it out."""

    driver: Driver
    free: float
    until: float
    trips: list[tuple[list[tuple[Place, list[Party]]], str]] = field(default_factory=list)
    home: bool = False  # went home: no more trips


class _Greedy:
    def __init__(self, night: Night):
        self.night = night
        self.tr = night.travel
        self.window_end = night.seconds(night.end)
        self.places = night.places
        self.beds = _Beds(night)
        self.at: dict[str, Place] = {}  # party id -> place
        self.self_guests: dict[str, list[Party]] = {}
        self.cars = [_Car(d, max(0.0, night.seconds(d.available_from)), night.seconds(d.available_until))
                     for d in night.drivers]
        self.walk = [s for s in night.shelters if not s.by_car]
        self.self_hosts = [h for h in night.hosts if not h.by_car]
        by_car = [p for p in self.places.values() if p.by_car]
        mp = night.meeting_point
        self.by_car = sorted(by_car, key=lambda p: (self.tr.km(mp, p.location), p.id))
        self.go = {q.id: self.tr.drive_seconds(mp, q.location) for q in by_car}
        self.deadlines: dict[str, list[float | None]] = {}  # per car place, per car: computed when first asked
        self.accepting: dict[tuple, tuple[list, list, list]] = {}  # parties alike are accepted alike
        self.waits: dict[str, float] = {}
        self.from_mp = {q.id: self.tr.km(mp, q.location) for q in by_car}
        self.last_wait: dict[tuple[str, int], float] = {}
        self._km_cache: dict[tuple[str, str], float] = {}

    # -- can a driver reach a place at all ---------------------------------------------------

    def _direct_deadline(self, place: Place, car: _Car) -> float | None:
        """The latest moment ``car`` can start loading for a trip to ``place`` alone, or None."""
        tr, d = self.tr, car.driver
        go = self.go[place.id]
        back = min(go, tr.drive_seconds(place.location, d.home))
        latest = self.window_end
        ready = 0.0
        if place.is_host:
            latest = min(latest, self.night.seconds(place.latest_arrival))
            ready = self.night.seconds(place.ready_from)
        if max(ready, car.free + tr.board_seconds + go) > latest:
            return None
        if max(ready, car.free + tr.board_seconds + go) + tr.drop_seconds + back > car.until:
            return None
        return min(latest, car.until - tr.drop_seconds - back) - go - tr.board_seconds

    def _last_wait(self, place: Place, size: int) -> float:
        """A party of ``size`` that starts waiting later than this cannot be driven to ``place`` by anyone."""
        key = (place.id, size)
        if key not in self.last_wait:
            if place.id not in self.deadlines:
                self.deadlines[place.id] = [self._direct_deadline(place, car) for car in self.cars]
            self.last_wait[key] = max((t for car, t in zip(self.cars, self.deadlines[place.id])
                                       if car.driver.seats >= size and t is not None), default=-1.0)
        return self.last_wait[key]

    # -- step 2: the place ---------------------------------------------------------------------

    def _waits(self, party: Party) -> float:
        if party.id not in self.waits:
            self.waits[party.id] = max(0.0, self.night.seconds(party.waiting_since))
        return self.waits[party.id]

    def _walk_ok(self, place: Shelter, party: Party) -> bool:
        return walk_arrival(self.night, party, place) <= self.window_end

    def _self_ok(self, host: Host, party: Party) -> bool:
        guests = [*self.self_guests.get(host.id, []), party]
        latest = min(self.window_end, self.night.seconds(host.latest_arrival))
        return self_pickup_arrival(self.night, host, guests) <= latest

    def _car_ok(self, place: Place, party: Party) -> bool:
        return self._waits(party) <= self._last_wait(place, party.size)

    def _fits(self, place: Place, party: Party, accepted: bool = False) -> bool:
        """Beds, company and time allow ``party`` at ``place`` (which ``accepted`` says accepts it)."""
        if not (accepted or place.fits(party)) or not self.beds.room(place, party):
            return False
        if place.by_car:
            return self._car_ok(place, party)
        if place.is_host:
            return self._self_ok(place, party)
        return self._walk_ok(place, party)

    def _accepting(self, party: Party) -> tuple[list, list, list]:
        """The walk shelters, self hosts and car places (in the orders below) that accept ``party``."""
        key = (party.gender, party.minor, party.size, party.languages)
        if key not in self.accepting:
            self.accepting[key] = tuple([q for q in places if q.fits(party)]
                                        for places in (self.walk, self.self_hosts, self.by_car))
        return self.accepting[key]

    def _choose(self, party: Party, tried: set[str]) -> Place | None:
        back = self.places.get(party.returning_to or "")
        if back is not None and back.id not in tried and self._fits(back, party):
            return back
        walk, self_hosts, by_car = self._accepting(party)
        for place in walk:
            if place.id not in tried and self._fits(place, party, True):
                return place
        # A host who fetches guests: the tightest fit keeps big homes for families and groups.
        fitting = [h for h in self_hosts if h.id not in tried and self._fits(h, party, True)]
        if fitting:
            return min(fitting, key=lambda h: (h.beds - self.beds.used.get(h.id, 0), h.ready_from, h.id))
        for place in by_car:  # nearest first: the least driving
            if place.id not in tried and self._fits(place, party, True):
                return place
        return None

    def _assign(self, party: Party, place: Place) -> None:
        self.at[party.id] = place
        self.beds.take(place, party)
        if place.is_host and not place.by_car:
            self.self_guests.setdefault(place.id, []).append(party)

    # -- step 3: the cars ------------------------------------------------------------------------

    def _km(self, a: Place, b: Place) -> float:
        key = (a.id, b.id)
        if key not in self._km_cache:
            self._km_cache[key] = self.tr.km(a.location, b.location)
        return self._km_cache[key]

    def _route(self, car: _Car, load: list[tuple[Place, list[Party]]], ends=("meeting_point", "home")):
        """A timed order of the stops that keeps every deadline: nearest first, else soonest due.

        Back to the park if possible, else home (``ends``): a last drop on the way home.
        """
        orders = []
        left, here, order = list(load), None, []
        while left:
            nxt = min(left, key=lambda s: (self.from_mp[s[0].id] if here is None else self._km(here, s[0]),
                                           s[0].id))
            order.append(nxt)
            left.remove(nxt)
            here = nxt[0]
        orders.append(order)
        if len(load) > 1:
            orders.append(sorted(load, key=lambda s: (self.night.seconds(s[0].latest_arrival) if s[0].is_host
                                                      else self.window_end, s[0].id)))
        for order in orders:
            for end in ends:
                timed = time_trip(self.night, car.free, car.until, car.driver.home, order, end)
                if timed.ok:
                    return order, end
        return None

    def _dispatch(self, queue: list[Party]) -> list[Party]:
        """Play the drivers' evening over ``queue`` (in line order); return who no car took."""
        left = list(queue)
        heap = [(car.free, i) for i, car in enumerate(self.cars) if not car.home]
        heapq.heapify(heap)
        while heap and left:
            now, i = heapq.heappop(heap)
            car = self.cars[i]
            car.free = max(car.free, now)
            here = [p for p in left if self._waits(p) <= car.free]
            load: list[tuple[Place, list[Party]]] = []
            seats = car.driver.seats
            route = None
            for head in here:  # the next in line this car can take in time
                if head.size > seats:
                    continue
                route = self._route(car, [(self.at[head.id], [head])])
                if route:
                    load, end = route
                    break
            if route is None:
                later = [self._waits(p) for p in left if self._waits(p) > car.free]
                if later:
                    heapq.heappush(heap, (min(later), i))
                continue
            taken = {head.id}
            seats -= head.size
            while seats > 0:
                stops = [pl for pl, _ in load]
                cands = [p for p in here if p.id not in taken and p.size <= seats]
                nearest = heapq.nsmallest(8, cands, key=lambda p: (min(self._km(s, self.at[p.id]) for s in stops),
                                                                    priority(p)))
                for p in nearest:  # a coordinator looks at the few nearest, not at everyone
                    place = self.at[p.id]
                    trial = [(pl, ps + [p]) if pl.id == place.id else (pl, ps) for pl, ps in load]
                    if place.id not in {pl.id for pl, _ in load}:
                        trial.append((place, [p]))
                    route = self._route(car, trial, (end,))  # a stop never sends the driver home early
                    if route:
                        load, _ = route
                        taken.add(p.id)
                        seats -= p.size
                        break
                else:
                    break
            timed = time_trip(self.night, car.free, car.until, car.driver.home, load, end)
            car.trips.append((load, end))
            car.free = timed.end_at
            left = [p for p in left if p.id not in taken]
            if end == "home":
                car.home = True
            else:
                heapq.heappush(heap, (car.free, i))
        return left

    def _finish_cars(self) -> list[Trip]:
        """Send each driver home from the last stop when that fits their hours: fewer kilometres."""
        trips = []
        for car in self.cars:
            free = max(0.0, self.night.seconds(car.driver.available_from))
            for k, (load, end) in enumerate(car.trips):
                if k == len(car.trips) - 1 and end == "meeting_point":
                    home = time_trip(self.night, free, car.until, car.driver.home, load, "home")
                    if home.ok:
                        end = "home"
                timed = time_trip(self.night, free, car.until, car.driver.home, load, end)
                at = self.night.at
                stops = tuple(Stop(pl.id, tuple(p.id for p in ps), at(a)) for (pl, ps), a in zip(load, timed.arrivals))
                trips.append(Trip(car.driver.id, at(timed.depart), stops, end, at(timed.end_at), timed.km))
                free = timed.end_at
        return trips

    # -- the whole evening ---------------------------------------------------------------------------

    def run(self) -> Plan:
        night = self.night
        fixed = {f.party: self.places[f.place] for f in night.fixed}
        parties = night.party_by_id
        line = sorted(night.parties, key=lambda p: (p.id not in fixed, priority(p)))
        tried: dict[str, set[str]] = {p.id: set() for p in night.parties}
        unplaced: list[Party] = []
        for party in line:
            place = fixed.get(party.id) or self._choose(party, tried[party.id])
            if place is None:
                unplaced.append(party)
            else:
                self._assign(party, place)
        queue = [p for p in line if p.id in self.at and self.at[p.id].by_car]
        for _ in range(ROUNDS):
            missed = self._dispatch(queue)
            queue = []
            for party in missed:
                place = self.at.pop(party.id)
                self.beds.release(place, party)
                tried[party.id].add(place.id)
                again = None if party.id in fixed else self._choose(party, tried[party.id])
                if again is None:
                    unplaced.append(party)
                else:
                    self._assign(party, again)
                    if again.by_car:
                        queue.append(party)
            if not queue:
                break
        else:
            for party in queue:  # still waiting after the last round
                self.beds.release(self.at.pop(party.id), party)
                unplaced.append(party)

        trips = self._finish_cars()
        arrive = {p: s.arrive for t in trips for s in t.stops for p in s.parties}
        placements = []
        for party in night.parties:
            place = self.at.get(party.id)
            if place is None:
                continue
            if place.by_car:
                when = arrive[party.id]
            elif place.is_host:
                when = night.at(self_pickup_arrival(night, place, self.self_guests[place.id]))
            else:
                when = night.at(walk_arrival(night, party, place))
            placements.append(Placement(party.id, place.id, when))
        missing = {p.id for p in unplaced}
        trips.sort(key=lambda t: (t.driver, t.depart))
        return Plan(placements=placements, unplaced=[p.id for p in night.parties if p.id in missing], trips=trips)


def greedy(night: Night) -> Plan:
    """The plan a careful coordinator would make by hand: valid, quick, and the baseline to beat."""
    started = time.perf_counter()
    plan = _Greedy(night).run()
    return plan.summarized(night, time.perf_counter() - started)
