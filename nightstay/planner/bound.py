"""An upper bound on how many people any valid plan can shelter tonight.

A plan is judged against the best it could have been; the best is unknown, so it is judged
against a number no valid plan can exceed. The bound is a maximum flow (OR-Tools'
``SimpleMaxFlow``) in a network that every valid plan fits into:

    source -> party        capacity: its size
    party  -> place        if the place accepts the party and can be reached in time (below)
    place  -> sink         walk shelters and ``self`` hosts: capacity its beds
    place  -> driver       places reached by car: capacity its beds (through an in/out pair),
                           an arc to every driver who could reach it in their hours, into a
                           chain of that driver's nodes (below)
    driver -> sink         capacity: seats x the most trips that driver can make tonight

Why every valid plan is a flow here (so the maximum flow is never below what a plan
shelters), rule by rule, with the checker's 60 seconds of slack granted on every deadline:

- "reached in time" is only a necessary condition. A walk shelter is reached at
  max(start, waiting_since) + the walk; a ``self`` host leaves no earlier than
  max(start, waiting_since, ready_from) + boarding, whatever its other guests. A car place
  is reached no earlier than loading at max(start, available_from, waiting_since) plus the
  direct drive (other stops first only add time: distances obey the triangle inequality),
  and the driver then still has to drop and drive at least straight back to the park or home.
- A driver's trips do not overlap, and a trip that drops someone at place X lasts at least
  boarding + the drive to X + one drop + the shorter way from X to the park or home (X's
  "round"); trips that carry nobody do not matter. A driver's chain groups the places they
  can reach by a number of trips n such that everyone dropped at places of n or fewer rides
  in at most n trips; the arc leaving group n has capacity seats x n, the last arc caps all
  the driver carries. Two such counts are valid, and the bound is the smaller of the two
  flows:
  - by distance: at most floor(hours / round(X)) trips reach X (the trips reaching any of
    the group's places each last at least the shortest round among them);
  - by deadline: the k-th trip loads no earlier than (k - 1) quickest rounds after the
    driver comes, so only the first 1 + floor(spare / quickest round) trips can drop at X
    before X's latest arrival (and still get the driver back in time).
- Relaxed, which only loosens the bound: parties may be split across places, men and women
  may share a host, seats are counted per driver rather than per trip and route, fixed
  placements are not imposed.

So the bound is tight when beds are the bottleneck and loose where drivers are scarce (it
fills every trip, lets trips start before anyone waits for them and ignores that guests
arrive over the evening); the benchmark table shows the gap.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ortools.graph.python.max_flow import SimpleMaxFlow

from .night import Driver, Night

SLACK = 61.0  # the checker's 60 seconds per deadline, and a second for rounding
BUCKETS = 8  # groups of parties by waiting time, and deadlines, in ``driver_time_bound``


def _car_deadlines(night: Night, place, d: Driver, go: float, back: float) -> float | None:
    """The latest loading start from which ``d`` can still bring someone to ``place``; None if never.

    ``go`` is the drive from the meeting point to ``place``, ``back`` the shorter drive from
    there to the meeting point or to ``d``'s home.
    """
    tr = night.travel
    start, free = 0.0, max(0.0, night.seconds(d.available_from))
    latest = night.seconds(night.end) + SLACK
    ready = 0.0
    if place.is_host:
        latest = min(latest, night.seconds(place.latest_arrival) + SLACK)
        ready = night.seconds(place.ready_from)
    until = night.seconds(d.available_until) + SLACK
    if ready > latest or ready + tr.drop_seconds + back > until:
        return None
    last = min(latest, until - tr.drop_seconds - back) - go - tr.board_seconds
    return last if last >= max(start, free) else None


def _trips(night: Night, d: Driver, round_trip: float, big: int) -> int:
    """The most trips ``d`` can fit in their hours if each lasts at least ``round_trip`` seconds."""
    hours = night.seconds(d.available_until) + SLACK - max(0.0, night.seconds(d.available_from))
    shortest = night.travel.board_seconds + night.travel.drop_seconds + round_trip
    if hours < shortest:
        return 0
    return big if shortest <= 0 else min(big, int(hours // shortest))


def upper_bound(night: Night, *, vulnerable_only: bool = False) -> int:
    """No valid plan shelters more people than this (with ``vulnerable_only``: more vulnerable people)."""
    net = _network(night, vulnerable_only)
    if net is None:
        return 0
    return min(_solve(net.arcs, net.nodes, net.by_distance, night, net.place_out, net.big),
               _solve(net.arcs, net.nodes, net.by_deadline, night, net.place_out, net.big))


@dataclass
class _Net:
    """What both bounds read: who can reach which place in time, and each driver's trip counts and costs."""

    parties: list
    reachable: dict[str, list]  # party id -> places it can reach in time and that accept it
    by_car: list
    by_distance: dict[str, dict[str, int]]
    by_deadline: dict[str, dict[str, int]]
    trip_seconds: dict[tuple[str, str], float]  # (place, driver) -> the least a trip dropping there lasts
    arcs: list[tuple[int, int, int]]
    nodes: int
    place_out: dict[str, int]
    big: int


def _network(night: Night, vulnerable_only: bool) -> _Net | None:
    parties = [p for p in night.parties if p.vulnerable or not vulnerable_only]
    if not parties:
        return None
    tr = night.travel
    end = night.seconds(night.end) + SLACK
    places = list(night.places.values())
    by_car = [q for q in places if q.by_car]

    # Per place and party size: the latest a party may start waiting and still get there in time.
    go = {q.id: tr.drive_seconds(night.meeting_point, q.location) for q in by_car}
    back = {(q.id, d.id): min(go[q.id], tr.drive_seconds(q.location, d.home)) for q in by_car for d in night.drivers}
    deadline = {(q.id, d.id): _car_deadlines(night, q, d, go[q.id], back[q.id, d.id])
                for q in by_car for d in night.drivers}

    def last_wait(place, size: int) -> float:
        if place.by_car:
            return max((w for d in night.drivers if d.seats >= size
                        and (w := deadline[place.id, d.id]) is not None), default=-math.inf)
        if not place.is_host:
            return end - tr.walk_seconds(night.meeting_point, place.location)
        latest = min(end, night.seconds(place.latest_arrival) + SLACK)
        trip = tr.board_seconds + tr.drive_seconds(night.meeting_point, place.location)
        return latest - trip if night.seconds(place.ready_from) + trip <= latest else -math.inf

    # Which places accept a party depends on its size, gender, minors and languages alone.
    accepting: dict[tuple, list[tuple[float, object]]] = {}
    for p in parties:
        key = (p.size, p.gender, p.minor, p.languages)
        if key not in accepting:
            accepting[key] = [(last_wait(q, p.size), q) for q in places if q.fits(p)]

    # The network without the drivers: source -> parties -> places (in -> out) -> sink.
    source, sink = 0, 1
    index = {p.id: 2 + i for i, p in enumerate(parties)}
    first_place = 2 + len(parties)
    place_in = {q.id: first_place + 2 * i for i, q in enumerate(places)}
    place_out = {q.id: first_place + 2 * i + 1 for i, q in enumerate(places)}
    big = sum(p.size for p in parties)
    arcs: list[tuple[int, int, int]] = []
    reachable = {}
    for p in parties:
        arcs.append((source, index[p.id], p.size))
        waits = max(0.0, night.seconds(p.waiting_since))
        reachable[p.id] = [q for w, q in accepting[p.size, p.gender, p.minor, p.languages] if waits <= w]
        arcs.extend((index[p.id], place_in[q.id], p.size) for q in reachable[p.id])
    for q in places:
        arcs.append((place_in[q.id], place_out[q.id], q.beds))
        if not q.by_car:
            arcs.append((place_out[q.id], sink, q.beds))

    # Two ways to count a driver's trips, each valid alone (so the smaller flow is the bound).
    by_distance, by_deadline = {}, {}
    for d in night.drivers:
        reach = [q for q in by_car if deadline[q.id, d.id] is not None]
        if not reach:
            continue
        drives = {q.id: go[q.id] + back[q.id, d.id] for q in reach}
        by_distance[d.id] = {q.id: _trips(night, d, drives[q.id], big) for q in reach}
        shortest = tr.board_seconds + tr.drop_seconds + min(drives.values())  # the quickest trip
        free = max(0.0, night.seconds(d.available_from))
        until = night.seconds(d.available_until) + SLACK
        counts = {}
        for q in reach:
            latest = min(end, night.seconds(q.latest_arrival) + SLACK) if q.is_host else end
            latest = min(latest, until - tr.drop_seconds - back[q.id, d.id])
            spare = latest - free - tr.board_seconds - go[q.id]
            counts[q.id] = big if shortest <= 0 else min(big, 1 + int(spare // shortest)) if spare >= 0 else 0
        by_deadline[d.id] = counts
    trip_seconds = {(q.id, d.id): tr.board_seconds + tr.drop_seconds + go[q.id] + back[q.id, d.id]
                    for q in by_car for d in night.drivers if deadline[q.id, d.id] is not None}
    return _Net(parties, reachable, by_car, by_distance, by_deadline, trip_seconds, arcs,
                first_place + 2 * len(places), place_out, big)


def _solve(arcs: list[tuple[int, int, int]], node: int, trips: dict[str, dict[str, int]], night: Night,
           place_out: dict[str, int], big: int) -> int:
    """The maximum flow once each driver's chain (places grouped by how many trips can serve them) is added."""
    arcs = list(arcs)
    by_id = night.places
    for d in night.drivers:
        groups: dict[int, list[str]] = {}
        for qid, n in trips.get(d.id, {}).items():
            if n > 0:
                groups.setdefault(n, []).append(qid)
        counts = sorted(groups)
        for i, n in enumerate(counts):
            arcs.extend((place_out[qid], node, by_id[qid].beds) for qid in groups[n])
            if i > 0:
                arcs.append((node - 1, node, min(big, d.seats * counts[i - 1])))
            node += 1
        if counts:
            arcs.append((node - 1, 1, min(big, d.seats * counts[-1])))
    flow = SimpleMaxFlow()
    if arcs:
        tails, heads, caps = zip(*arcs)
        flow.add_arcs_with_capacity(list(tails), list(heads), list(caps))
    status = flow.solve(0, 1)
    if status != flow.OPTIMAL:
        raise RuntimeError(f"max flow failed with status {status}")
    return int(flow.optimal_flow())


def driver_time_bound(night: Night, *, vulnerable_only: bool = False) -> int:
    """A tighter bound where drivers are short: a linear program in which each driver's time is a budget.

    Every person dropped at a place by a driver costs that driver at least the loading, the
    drop and the round trip (to the place and back to the meeting point or home, the shorter)
    divided by the car's seats: a trip lasts at least that long for its farthest stop, and
    carries at most ``seats`` people. So the people a driver drops cost at most the driver's
    hours, and more finely, for every moment ``w`` and deadline ``L``: the people who start
    waiting at ``w`` or later and are dropped at places due by ``L`` ride in trips that load
    after max(``available_from``, ``w``) and drop before ``L``, so they cost at most that span
    plus the longest way back from one drop. Moments are the starts of up to ``BUCKETS``
    groups of parties by waiting time (each party counted in the group it falls in, whose
    start is no later than its own), deadlines up to ``BUCKETS`` of the places' latest
    arrivals (any of them gives a valid budget). The program also
    keeps both of the flow's trip counts (every driver's chain), so it is never looser than
    ``upper_bound``; people are continuous (parties may split, men and women share hosts), so
    its optimum, rounded down, is a bound. GLOP solves it.
    """
    net = _network(night, vulnerable_only)
    if net is None:
        return 0
    from ortools.linear_solver import pywraplp

    flow = upper_bound(night, vulnerable_only=vulnerable_only)
    lp = pywraplp.Solver.CreateSolver("GLOP")
    if lp is None:  # pragma: no cover - ortools is a pinned dependency
        return flow
    places = night.places
    end = night.seconds(night.end) + SLACK
    due = {q.id: min(end, night.seconds(q.latest_arrival) + SLACK) if q.is_host else end for q in net.by_car}
    waits = sorted({max(0.0, night.seconds(p.waiting_since)) for p in net.parties})
    starts = [waits[len(waits) * k // BUCKETS] for k in range(BUCKETS)] if len(waits) > BUCKETS else waits
    starts = sorted(set(starts))

    def bucket(p) -> int:
        w = max(0.0, night.seconds(p.waiting_since))
        return max(b for b, s in enumerate(starts) if s <= w)

    # parties alike (the same places in reach, the same group of waiting times) are one row of people
    groups: dict[tuple, int] = {}
    for p in net.parties:
        key = (bucket(p), tuple(q.id for q in net.reachable[p.id]))
        if key[1]:
            groups[key] = groups.get(key, 0) + p.size
    beds = {q: lp.Constraint(0, places[q].beds) for q in places}
    objective = lp.Objective()
    car_ids = {q.id for q in net.by_car}
    dropped: dict[tuple[str, int], object] = {}  # (car place, group) -> its people, all dropped by some driver
    for (b, key), people in groups.items():
        row = lp.Constraint(0, people)
        for q in key:
            v = lp.NumVar(0, people, "")
            row.SetCoefficient(v, 1)
            beds[q].SetCoefficient(v, 1)
            objective.SetCoefficient(v, 1)
            if q in car_ids:
                if (q, b) not in dropped:
                    dropped[q, b] = lp.Constraint(0, 0)
                dropped[q, b].SetCoefficient(v, 1)
    deadlines = sorted({due[q] for q, _ in dropped})
    if len(deadlines) > BUCKETS:  # a few deadlines suffice (any subset keeps the bound valid)
        deadlines = sorted({deadlines[len(deadlines) * (k + 1) // BUCKETS - 1] for k in range(BUCKETS)})
    for d in night.drivers:
        free, until = max(0.0, night.seconds(d.available_from)), night.seconds(d.available_until) + SLACK
        y = {}
        for q, b in dropped:
            if (q, d.id) in net.trip_seconds:
                y[q, b] = lp.NumVar(0, lp.infinity(), "")
                dropped[q, b].SetCoefficient(y[q, b], -1)
        if not y:
            continue
        back = max(net.trip_seconds[q, d.id] for q, _ in y)  # a bound on any trip's time after its drop
        for b, start in enumerate(starts):
            for limit in deadlines:
                span = min(until, limit + back) - max(free, start)
                budget = lp.Constraint(-lp.infinity(), max(0.0, span))
                for (q, bq), v in y.items():
                    if bq >= b and due[q] <= limit:
                        budget.SetCoefficient(v, net.trip_seconds[q, d.id] / d.seats)
        for counts in (net.by_distance.get(d.id, {}), net.by_deadline.get(d.id, {})):
            for n in sorted({counts.get(q, 0) for q, _ in y}):  # the chain: places of n trips or fewer
                ring = lp.Constraint(0, d.seats * n)
                for (q, _), v in y.items():
                    if counts.get(q, 0) <= n:
                        ring.SetCoefficient(v, 1)
    objective.SetMaximization()
    if lp.Solve() != pywraplp.Solver.OPTIMAL:  # pragma: no cover - a feasible, bounded program
        return flow
    return min(int(objective.Value() + 1e-6), flow)
