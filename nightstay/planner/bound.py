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
    driver -> sink         capacity: seats x the most trips the driver can fit in their hours

Why every valid plan is a flow here (so the maximum flow is never below what a plan
shelters), rule by rule, with the checker's 60 seconds of slack granted on every deadline:

- "reached in time" is only a necessary condition. A walk shelter is reached at
  max(start, waiting_since) + the walk; a ``self`` host leaves no earlier than
  max(start, waiting_since, ready_from) + boarding, whatever its other guests. A car place
  is reached no earlier than loading at max(start, available_from, waiting_since) plus the
  direct drive (other stops first only add time: distances obey the triangle inequality),
  and the driver then still has to drop and drive at least straight back to the park or home.
- A trip that drops someone at place X lasts at least boarding + the drive to X + one drop +
  the shorter way from X to the park or home (X's "round"); a driver's trips do not overlap,
  so at most floor(hours / round(X)) of them reach X, each with at most ``seats`` people.
  Per driver, places are grouped by that number of trips n, and the groups chained from the
  fewest trips to the most: the arc leaving group n carries everyone dropped at places of
  n trips or fewer, capacity seats x n (the trips that reach any of them each last at least
  the shortest round among them). The last arc, seats x the trips to the nearest place,
  caps all the driver carries.
- Relaxed, which only loosens the bound: parties may be split across places, men and women
  may share a host, seats are counted per driver rather than per trip and route, fixed
  placements are not imposed.

So the bound is tight when beds are the bottleneck and loose where drivers are scarce (it
fills every trip, lets trips start before anyone waits for them and ignores that guests
arrive over the evening); the benchmark table shows the gap.
"""
from __future__ import annotations

import math

from ortools.graph.python.max_flow import SimpleMaxFlow

from .night import Driver, Night

SLACK = 61.0  # the checker's 60 seconds per deadline, and a second for rounding


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
    parties = [p for p in night.parties if p.vulnerable or not vulnerable_only]
    if not parties:
        return 0
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

    flow = SimpleMaxFlow()
    source, sink = 0, 1
    node = 2
    party_node, place_in, place_out = {}, {}, {}
    for p in parties:
        party_node[p.id] = node
        node += 1
    for q in places:
        place_in[q.id] = node
        place_out[q.id] = node + 1
        node += 2
    big = sum(p.size for p in parties)

    for p in parties:
        flow.add_arc_with_capacity(source, party_node[p.id], p.size)
        waits = max(0.0, night.seconds(p.waiting_since))
        for w, q in accepting[p.size, p.gender, p.minor, p.languages]:
            if waits <= w:
                flow.add_arc_with_capacity(party_node[p.id], place_in[q.id], p.size)
    for q in places:
        flow.add_arc_with_capacity(place_in[q.id], place_out[q.id], q.beds)
        if not q.by_car:
            flow.add_arc_with_capacity(place_out[q.id], sink, q.beds)
    for d in night.drivers:
        # Trips to places farther than X number at most floor(hours / the round trip to X): a
        # chain of nodes, from the fewest possible trips to the most, caps every such group.
        trips: dict[int, list] = {}
        for q in by_car:
            if deadline[q.id, d.id] is not None:
                n = _trips(night, d, go[q.id] + back[q.id, d.id], big)
                if n > 0:
                    trips.setdefault(n, []).append(q)
        counts = sorted(trips)
        for i, n in enumerate(counts):
            here = node
            node += 1
            for q in trips[n]:
                flow.add_arc_with_capacity(place_out[q.id], here, q.beds)
            if i > 0:
                flow.add_arc_with_capacity(here - 1, here, min(big, d.seats * counts[i - 1]))
        if counts:
            flow.add_arc_with_capacity(node - 1, sink, min(big, d.seats * counts[-1]))

    status = flow.solve(source, sink)
    if status != flow.OPTIMAL:
        raise RuntimeError(f"max flow failed with status {status}")
    return int(flow.optimal_flow())
