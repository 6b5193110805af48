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
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .greedy_index import SLACK, Accepting, Beds, CarPlaces, SelfHosts, last_waits, nearest_parties
from .night import Driver, Host, Night, Party, Shelter
from .plan import Placement, Plan, Stop, Trip, self_pickup_arrival, time_trip, walk_arrival

Place = Host | Shelter
ROUNDS = 3  # how many times parties no driver could take are offered another car place


def priority(party: Party) -> tuple:
    """The line at the park: vulnerable first, then most nights outside, then first come."""
    return (not party.vulnerable, -party.nights_outside, party.waiting_since, party.id)


@dataclass
class _Car:
    """A driver's evening as the greedy plays it out."""

    driver: Driver
    free: float
    until: float
    trips: list[tuple[list[tuple[Place, list[Party]]], str]] = field(default_factory=list)
    home: bool = False  # went home: no more trips


class _Greedy:
    def __init__(self, night: Night, late: Callable[[], bool]):
        self.night = night
        self.late = late
        self.tr = tr = night.travel
        self.window_end = night.seconds(night.end)
        self.places = night.places
        everywhere = list(self.places.values())
        self.beds = Beds(everywhere)
        self.accepts = Accepting(everywhere)
        self.at: dict[str, Place] = {}  # party id -> place
        self.self_guests: dict[str, list[Party]] = {}
        self.cars = [_Car(d, max(0.0, night.seconds(d.available_from)), night.seconds(d.available_until))
                     for d in night.drivers]
        self.walk = [s for s in night.shelters if not s.by_car]
        self.self_hosts = [h for h in night.hosts if not h.by_car]
        by_car = [p for p in everywhere if p.by_car]
        mp = night.meeting_point
        self.by_car = sorted(by_car, key=lambda p: (tr.km(mp, p.location), p.id))
        self.go = {q.id: tr.drive_seconds(mp, q.location) for q in by_car}
        self.accepting: dict[tuple, tuple] = {}  # parties alike are accepted alike
        self.waits = {p.id: max(0.0, night.seconds(p.waiting_since)) for p in night.parties}
        self.from_mp = {q.id: tr.km(mp, q.location) for q in by_car}
        self.last_wait: dict[tuple[str, int], float] = {}
        self._km_cache: dict[tuple[str, str], float] = {}
        # arrays, in the orders the greedy scans: self hosts as listed, car places nearest first
        self.hosts = SelfHosts(night, self.self_hosts, self.beds)
        self.cars_at = CarPlaces(night, self.by_car, self.beds, self.go)
        self.sizes = sorted({p.size for p in night.parties})
        self.lw = {size: np.full(len(self.by_car), np.nan) for size in self.sizes}  # _last_wait, once asked
        self.seats = np.array([d.seats for d in night.drivers], dtype=np.int64)
        self.until = np.array([c.until for c in self.cars])
        self.rank = {p.id: k for k, p in enumerate(sorted(night.parties, key=priority))}

    # -- can a driver reach a place at all ---------------------------------------------------

    def _direct_deadline(self, place: Place, car: _Car, free: float) -> float | None:
        """The latest moment ``car``, free at ``free``, can start loading for a trip to ``place`` alone, or None."""
        tr, d = self.tr, car.driver
        go = self.go[place.id]
        back = min(go, tr.drive_seconds(place.location, d.home))
        latest = self.window_end
        ready = 0.0
        if place.is_host:
            latest = min(latest, self.night.seconds(place.latest_arrival))
            ready = self.night.seconds(place.ready_from)
        if max(ready, free + tr.board_seconds + go) > latest:
            return None
        if max(ready, free + tr.board_seconds + go) + tr.drop_seconds + back > car.until:
            return None
        return min(latest, car.until - tr.drop_seconds - back) - go - tr.board_seconds

    def _deadlines(self, place: Place) -> None:
        """``_last_wait`` for ``place`` and every size, from the cars as they are free now.

        The drivers' deadlines are those of the moment the place is first asked about, as a
        coordinator notes them once; numpy finds the cars that can be the latest, and those
        are timed exactly (``last_waits``).
        """
        tr = self.tr
        free = np.array([car.free for car in self.cars])
        go = self.go[place.id]
        back = np.minimum(go, self.cars_at.homes[self.cars_at.pos[place.id]])
        latest, ready = self.window_end, 0.0
        if place.is_host:
            latest = min(latest, self.night.seconds(place.latest_arrival))
            ready = self.night.seconds(place.ready_from)
        start = np.maximum(ready, free + tr.board_seconds + go)
        late = start > latest  # exact: no distance in it
        home_by = start + tr.drop_seconds + back - self.until
        unsure = ~late & (np.abs(home_by) <= SLACK)
        by = self.until - tr.drop_seconds - back
        value = np.minimum(latest, by) - go - tr.board_seconds
        value[late | (home_by > 0) | unsure] = -np.inf
        exact = ~unsure & ((value == -np.inf) | (by > latest + SLACK))  # the place's deadline, not the drive home
        waits = last_waits(lambda k: self._direct_deadline(place, self.cars[k], float(free[k])),
                           value, exact, unsure, self.seats, self.sizes)
        k = self.cars_at.pos[place.id]
        for size, t in waits.items():
            self.last_wait[(place.id, size)] = t
            self.lw[size][k] = t

    def _last_wait(self, place: Place, size: int) -> float:
        """A party of ``size`` that starts waiting later than this cannot be driven to ``place`` by anyone."""
        if (place.id, size) not in self.last_wait:
            self._deadlines(place)
        return self.last_wait[(place.id, size)]

    # -- step 2: the place ---------------------------------------------------------------------

    def _waits(self, party: Party) -> float:
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

    def _accepting(self, party: Party) -> tuple:
        """The walk shelters that accept ``party``, and which self hosts and car places do (masks)."""
        key = (party.gender, party.minor, party.size, party.languages)
        if key not in self.accepting:
            ok = self.accepts(party)
            self.accepting[key] = ([q for q in self.walk if ok[self.beds.index[q.id]]],
                                   ok[self.hosts.idx], ok[self.cars_at.idx])
        return self.accepting[key]

    def _choose(self, party: Party, tried: set[str]) -> Place | None:
        back = self.places.get(party.returning_to or "")
        if back is not None and back.id not in tried and self._fits(back, party):
            return back
        walk, self_ok, car_ok = self._accepting(party)
        for place in walk:
            if place.id not in tried and self._fits(place, party, True):
                return place
        # A host who fetches guests: the tightest fit keeps big homes for families and groups.
        if self_ok.any():
            k = self.hosts.pick(party, self_ok, self.beds)
            if k is not None:
                return self.self_hosts[k]
        if car_ok.any():  # nearest first: the least driving
            fit = car_ok & self.beds.rooms(self.cars_at.idx, party)
            for q in tried:
                if q in self.cars_at.pos:
                    fit[self.cars_at.pos[q]] = False
            lw = self.lw[party.size]
            wait = self._waits(party)
            for k in np.flatnonzero(fit & (np.isnan(lw) | (wait <= lw))).tolist():
                if self._car_ok(self.by_car[k], party):
                    return self.by_car[k]
        return None

    def _assign(self, party: Party, place: Place) -> None:
        self.at[party.id] = place
        self.beds.take(place, party)
        if place.is_host and not place.by_car:
            self.self_guests.setdefault(place.id, []).append(party)
            self.hosts.leaves_after(place, self.night.seconds(party.waiting_since))

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
        wait = np.array([self._waits(p) for p in queue])
        size = np.array([p.size for p in queue], dtype=np.int64)
        place = np.array([self.cars_at.pos[self.at[p.id].id] for p in queue], dtype=np.int64)
        rank = np.array([self.rank[p.id] for p in queue], dtype=np.int64)
        left = np.ones(len(queue), dtype=bool)
        heap = [(car.free, i) for i, car in enumerate(self.cars) if not car.home]
        heapq.heapify(heap)
        while heap and left.any():
            if self.late():
                raise _Late
            now, i = heapq.heappop(heap)
            car = self.cars[i]
            car.free = max(car.free, now)
            here = np.flatnonzero(left & (wait <= car.free))  # in line order
            load: list[tuple[Place, list[Party]]] = []
            seats = car.driver.seats
            route = None
            for h in self.cars_at.may_lead(car, i, here[size[here] <= seats], wait, place).tolist():  # the next in line it can take
                head = queue[h]
                route = self._route(car, [(self.at[head.id], [head])])
                if route:
                    load, end = route
                    break
            if route is None:
                later = wait[left & (wait > car.free)]
                if later.size:
                    heapq.heappush(heap, (float(later.min()), i))
                continue
            taken = [h]
            pool = here[here != h]
            seats -= head.size
            while seats > 0:
                stops = [pl for pl, _ in load]
                cands = pool[size[pool] <= seats]
                nearest = nearest_parties([self.cars_at.row(s) for s in stops], place[cands], rank[cands],
                                          lambda j: min(self._km(s, self.by_car[j]) for s in stops), 8)
                for k in cands[nearest].tolist():  # a coordinator looks at the few nearest, not at everyone
                    p = queue[k]
                    at = self.at[p.id]
                    trial = [(pl, ps + [p]) if pl.id == at.id else (pl, ps) for pl, ps in load]
                    if at.id not in {pl.id for pl, _ in load}:
                        trial.append((at, [p]))
                    route = self._route(car, trial, (end,))  # a stop never sends the driver home early
                    if route:
                        load, _ = route
                        taken.append(k)
                        pool = pool[pool != k]
                        seats -= p.size
                        break
                else:
                    break
            timed = time_trip(self.night, car.free, car.until, car.driver.home, load, end)
            car.trips.append((load, end))
            car.free = timed.end_at
            left[taken] = False
            if end == "home":
                car.home = True
            else:
                heapq.heappush(heap, (car.free, i))
        return [queue[k] for k in np.flatnonzero(left).tolist()]

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
        for k, party in enumerate(line):
            if k % 64 == 0 and self.late():
                raise _Late
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


class _Late(Exception):
    """The deadline came before the greedy finished."""


def greedy(night: Night, late: Callable[[], bool] | None = None) -> Plan | None:
    """The plan a careful coordinator would make by hand: valid, quick, and the baseline to beat.

    Near-linear in the night (about a second at 10,000 people). With ``late``, asked every
    few parties and every car, None if it says the time is up before the plan is made.
    """
    started = time.perf_counter()
    try:
        plan = _Greedy(night, late or (lambda: False)).run()
    except _Late:
        return None
    return plan.summarized(night, time.perf_counter() - started)
