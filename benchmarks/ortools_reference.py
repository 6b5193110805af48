"""A general-purpose OR-Tools model of the night: the yardstick nightstay's planner is held to.

nightstay promises that, on any night, its plan ranks at least as well (by NIGHT-FORMAT.md's
order) as a straightforward OR-Tools model given ten times its time limit. A promise like that
is only worth what the yardstick is worth, so this is the model a competent engineer would
build in a day with the textbook tools, not a straw man:

1. **Assignment (GLOP, then rounding).** Every party gets at most one place among those that
   accept it and that it can reach in time (walking, with a self-pickup host, or by some
   driver's car); beds, fixed placements and the no-men-with-women-or-families rule at hosts are
   constraints. Cars are a shared resource the assignment cannot route, so it spends an
   estimated budget of driver seat-seconds (a round trip per place, shared by the car's seats).
   The objective is the format's order, encoded exactly as one integer weight per party. The
   linear relaxation is nearly integral on these nights and solves in under a second; it is
   rounded most-important-party first. (CP-SAT on the same model was tried first: on a
   700-person night its presolve alone took the seconds it was given, and its search barely
   moved from the start it was handed.)
2. **Routing (pywrapcp).** The parties that go by car become pickup (at the meeting point) and
   delivery (at their place) pairs: capacity is the car's seats, a time dimension carries
   ``waiting_since``, ``ready_from``, ``latest_arrival``, the window and ``available_from`` /
   ``available_until``. Every pickup lives at the meeting point, so a driver's route goes back
   there between deliveries by itself: multiple trips need no duplicated vehicles. Each party is
   a disjunction whose penalty follows the lexicographic order (vulnerable >> sheltered >>
   rotation >> returning), so when cars run short the solver drops the least important; parties
   the assignment had to leave out get an optional pair towards beds still free, in case the
   seat budget was pessimistic. Car arrivals after the night's last walking or self-pickup
   arrival cost a little (the fifth criterion), kilometres the arc cost (the sixth).
   Two first solutions (the solver's parallel cheapest insertion, and a plain insertion of
   requests by penalty, each where it ends its driver's evening soonest), then guided local
   search from the better one for the rest of the time.
3. **Repair and the rest.** Routes are cut into trips and re-timed by ``plan.time_trip`` (the
   format's own rules); anything that breaks a rule is dropped. Parties the cars did not take
   get walking and self-pickup beds by a second assignment (relaxation, rounding, then CP-SAT
   polishing what time is left).

The model knows nothing of nightstay's solver; it only shares the night and plan classes and the
timing rules that define validity.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from nightstay.planner.night import Host, Night, Party, Shelter
from nightstay.planner.plan import Placement, Plan, Trip, self_pickup_arrival, walk_arrival

from .ortools_assign import Options, assign_places, lex_weights, options, returning, round_trip
from .ortools_routing import route_cars, routing_requests, timed_trips, trips_of_route

log = logging.getLogger(__name__)


# Car places offered to the routing per party. More would let the routing pool a car towards
# neighbouring hosts, but measured on few-drivers seed 0 (20 s), three alternatives tripled the
# nodes and slowed the first solution so much that 260 people were sheltered instead of 394.
ALTERNATIVES = 1
# Share of the time limit by which routing must end; the rest is for the assignment before it
# (rounding the LP relaxation, a second or so) and CP-SAT polishing the walking places after.
# A second round (assignment with the budget cut to what the cars carried, routed again) was
# measured too: with half the routing time each, it did no better on few-drivers and worse on
# winter, so the routing gets the time in one go.
ROUTING_SHARE = 0.85


def _alternatives(night: Night, opts: Options, assigned: dict[str, str]) -> list[tuple[Party, Host | Shelter]]:
    """The (party, place) pairs the routing chooses among.

    Each party the assignment put in a car keeps its place and gets the nearest other car places
    that could take it too (so the routing can pool a car towards neighbouring hosts); parties the
    assignment left out get the car places with beds still free, in case the seat budget was
    pessimistic. The routing bounds every place's beds; the men-or-women rule is kept by giving
    each host one side beforehand (the assignment's, or women and families first when it is free).
    """
    places = night.places
    pmap = night.party_by_id
    tr = night.travel
    side: dict[str, str] = {}
    for pid, pl in assigned.items():
        if isinstance(places[pl], Host):
            side[pl] = pmap[pid].kind
    for h in night.hosts:
        if h.id not in side:
            side[h.id] = "f" if ({"f", "mixed"} & h.accepts.genders) else "m"
    used = {pl: 0 for pl in places}
    for pid, pl in assigned.items():
        used[pl] += pmap[pid].size
    weights, _ = lex_weights(list(night.parties))
    pairs = []
    for p in sorted(night.parties, key=lambda p: -weights[p.id]):
        own = assigned.get(p.id)
        if own is not None and not places[own].by_car:
            continue
        if own is None and not opts.car[p.id]:
            continue
        fixed = {f.party: f.place for f in night.fixed}.get(p.id)
        ok = [pl for pl in opts.car[p.id] if pl != own and fixed is None
              and (not isinstance(places[pl], Host) or side[pl] == p.kind)]
        if own is not None:
            here = places[own].location
            ok.sort(key=lambda pl: tr.km(here, places[pl].location))
            pairs.append((p, places[own]))
            pairs += [(p, places[pl]) for pl in ok[:ALTERNATIVES - 1]]
        else:
            ok = [pl for pl in ok if places[pl].beds - used[pl] >= p.size]
            ok.sort(key=lambda pl: opts.car[p.id][pl])
            pairs += [(p, places[pl]) for pl in ok[:ALTERNATIVES]]
    return pairs


@dataclass
class Attempt:
    """One assignment, routed: what the cars really carry, and when."""

    assigned: dict[str, str]
    carried: dict[str, str] = field(default_factory=dict)
    arrive: dict[str, float] = field(default_factory=dict)
    trips: list[Trip] = field(default_factory=list)
    spent: float = 0.0  # car seat-seconds the assignment planned
    used: float = 0.0  # of which the cars really carried


def _attempt(night: Night, opts: Options, budget: float, route_until: float, seed: int) -> Attempt:
    """Assign within ``budget`` car seat-seconds, then route the car placements (plus optional
    pairs towards beds left free) until ``route_until``."""
    places = night.places
    pmap = night.party_by_id
    assigned = assign_places(night, opts, None, seed, car_budget=budget)
    pairs = _alternatives(night, opts, assigned)
    out = Attempt(assigned)
    cost = {pid: round_trip(night, places[pl]) * pmap[pid].size for pid, pl in assigned.items() if places[pl].by_car}
    out.spent = sum(cost.values())
    requests = routing_requests(night, opts, pairs)
    if not requests or not night.drivers:
        return out
    late_after = max([0.0] + [opts.walk[pid].get(pl, opts.self_host[pid].get(pl, 0.0))
                              for pid, pl in assigned.items() if not places[pl].by_car])
    routes = route_cars(night, requests, late_after, max(0.1, route_until - time.monotonic()))
    for k, seq in routes.items():
        for trip, _ in timed_trips(night, night.drivers[k], trips_of_route(seq)):
            out.trips.append(trip)
            for stop in trip.stops:
                for pid in stop.parties:
                    out.carried[pid] = stop.place
                    out.arrive[pid] = night.seconds(stop.arrive)
    out.used = sum(c for pid, c in cost.items() if pid in out.carried)
    log.info("budget %.0f: cars carry %d of %d parties put in cars, and %d of %d more", budget,
             len(set(cost) & set(out.carried)), len(cost), len(set(out.carried) - set(cost)),
             len(requests) - len(cost))
    return out


def _walk_and_self(night: Night, opts: Options, attempt: Attempt, polish_until: float | None,
                   seed: int) -> dict[str, str]:
    """Everyone's place: the cars' placements, and walking or self-pickup places for the rest."""
    places = night.places
    final = assign_places(night, opts, polish_until, seed, car_budget=None, car_fixed=attempt.carried,
                    hint={pid: pl for pid, pl in attempt.assigned.items() if not places[pl].by_car})
    final.update(attempt.carried)
    return final


def _worth(night: Night, final: dict[str, str]) -> int:
    weights, _ = lex_weights(list(night.parties))
    pmap = night.party_by_id
    return sum(weights[pid] + returning(pmap[pid], pl) for pid, pl in final.items())


def solve_reference(night: Night, time_limit: float, seed: int = 0) -> Plan:
    """The reference plan for ``night`` within about ``time_limit`` seconds."""
    t0 = time.monotonic()
    deadline = t0 + time_limit
    opts = options(night)
    places = night.places
    pmap = night.party_by_id

    budget = sum(d.seats * max(0.0, night.seconds(d.available_until) - max(0.0, night.seconds(d.available_from)))
                 for d in night.drivers)
    best = _attempt(night, opts, budget, t0 + ROUTING_SHARE * time_limit, seed)
    rounded = _walk_and_self(night, opts, best, None, seed)
    polished = _walk_and_self(night, opts, best, deadline - 0.05, seed + 1)
    final = polished if _worth(night, polished) >= _worth(night, rounded) else rounded

    guests: dict[str, list[Party]] = {}
    for pid, pl in final.items():
        if isinstance(places[pl], Host) and not places[pl].by_car:
            guests.setdefault(pl, []).append(pmap[pid])
    placements = []
    for p in night.parties:
        pl = final.get(p.id)
        if pl is None:
            continue
        place = places[pl]
        if place.by_car:
            at = best.arrive[p.id]
        elif isinstance(place, Host):
            at = self_pickup_arrival(night, place, guests[pl])
        else:
            at = walk_arrival(night, p, place)
        placements.append(Placement(p.id, pl, night.at(at)))
    order = {d.id: k for k, d in enumerate(night.drivers)}
    trips = sorted(best.trips, key=lambda t: (order[t.driver], t.depart))
    plan = Plan(placements=placements, unplaced=[p.id for p in night.parties if p.id not in final], trips=trips)
    return plan.summarized(night, time.monotonic() - t0)
