"""The reference model's second step: the cars' routes (pywrapcp pickup and delivery), read back as timed trips.

The parties that go by car become pickup and delivery pairs whose drop penalties follow the
format's order; the routes found are cut into trips and re-timed by the format's own rules,
dropping whatever breaks one. ortools_reference.py explains the whole model and runs it.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from nightstay.planner.night import Driver, Host, Night, Party, Shelter
from nightstay.planner.plan import Stop, Trip, time_trip

from .ortools_assign import Options, ceil, lex_weights, returning

log = logging.getLogger(__name__)

KM_UNIT = 0.1  # routing arc costs count hundreds of metres
LATE_COST_PER_SECOND = 100  # soft cost of a car arrival after the night's other last arrival


@dataclass
class Request:
    party: Party
    place: Host | Shelter
    penalty: int
    drivers: list[int]


def _initial_routes(night: Night, requests: list[Request], secs: list[list[int]]) -> list[list[int]]:
    """A first solution for the routing: requests in order of penalty, each where it ends its
    driver's evening soonest (added to a trip with a free seat, or as a new trip).

    The routing solver's own cheapest-insertion heuristics take most of the budget on a big night
    (seven seconds for 260 requests) and pool cars poorly, which local search then cannot undo in
    the time left; this insertion is timed on the routing model's own matrix, so what it builds
    is a valid start.
    """
    nv = len(night.drivers)
    end = ceil(night.seconds(night.end))
    ws, lo, hi = [], [], []
    for r in requests:
        ws.append(max(0, ceil(night.seconds(r.party.waiting_since))))
        a, b = 0, end
        if isinstance(r.place, Host):
            a = max(0, ceil(night.seconds(r.place.ready_from)))
            b = min(end, int(night.seconds(r.place.latest_arrival)))
        lo.append(a)
        hi.append(b)
    free = [max(0, ceil(night.seconds(d.available_from))) for d in night.drivers]
    until = [int(night.seconds(d.available_until)) for d in night.drivers]

    def pick(q):
        return 1 + nv + 2 * q

    def drop(q):
        return 2 + nv + 2 * q

    def timed(k: int, trips: list[list[int]]) -> int | None:
        """When driver ``k`` is done with ``trips`` (None if a window is broken)."""
        t, prev = free[k], None
        for trip in trips:
            if prev is not None:
                t += secs[prev][pick(trip[0])]
            t = max([t] + [ws[q] for q in trip])
            cur = pick(trip[0])
            for q in trip:
                t = max(t + secs[cur][drop(q)], lo[q])
                if t > hi[q]:
                    return None
                cur = drop(q)
            prev = cur
        if prev is not None:
            t += secs[prev][1 + k]
        return t if t <= until[k] else None

    sched: list[list[list[int]]] = [[] for _ in range(nv)]
    load: list[list[int]] = [[] for _ in range(nv)]
    done_at = list(free)
    placed: set[str] = set()
    for q in sorted(range(len(requests)), key=lambda q: -requests[q].penalty):
        r = requests[q]
        if r.party.id in placed:
            continue
        best = None
        for k in r.drivers:
            seats = night.drivers[k].seats
            options = []
            for i, trip in enumerate(sched[k]):
                if load[k][i] + r.party.size <= seats:
                    same = [j for j, x in enumerate(trip) if requests[x].place.id == r.place.id]
                    for j in ([same[-1] + 1] if same else range(len(trip) + 1)):
                        options.append((i, trip[:j] + [q] + trip[j:]))
            options.append((len(sched[k]), [q]))
            for i, trip in options:
                trips = sched[k][:i] + [trip] + sched[k][i + 1:]
                t = timed(k, trips)
                if t is not None and (best is None or t - done_at[k] < best[0]):
                    best = (t - done_at[k], k, i, trips, t)
        if best is None:
            continue
        _, k, i, trips, t = best
        if i == len(sched[k]):
            load[k].append(0)
        load[k][i] += r.party.size
        sched[k], done_at[k] = trips, t
        placed.add(r.party.id)
    return [[node for trip in sched[k] for node in [pick(q) for q in trip] + [drop(q) for q in trip]]
            for k in range(nv)]


def route_cars(night: Night, requests: list[Request], late_after: float, time_limit: float) -> dict[int, list[Request]]:
    """pywrapcp pickup-and-delivery: driver index -> carried requests in delivery order.

    Node 0 is the meeting point where every car starts; node 1 + k is driver k's end (home, or
    back at the meeting point if that is sooner); then a pickup and a delivery node per request.
    """
    tr = night.travel
    mp = night.meeting_point
    drivers = night.drivers
    nv = len(drivers)
    n = 1 + nv + 2 * len(requests)
    kind = ["start"] + ["end"] * nv + ["pick", "drop"] * len(requests)
    loc = [mp] + [d.home for d in drivers]
    req_of = [None] * (1 + nv)
    for r in requests:
        loc += [mp, r.place.location]
        req_of += [r, r]

    def leg(i: int, j: int) -> tuple[int, int]:
        """(seconds, cost) of going from node i to node j."""
        ki, kj = kind[i], kind[j]
        if ki in ("start", "end") or kj == "start":
            return 0, 0
        if ki == "pick":
            if kj == "pick":
                return 0, 0
            if kj == "end":
                return 0, 0  # never used: a pickup is always followed by its delivery
            return (ceil(tr.board_seconds + tr.drive_seconds(mp, loc[j])),
                    round(tr.km(mp, loc[j]) / KM_UNIT))
        # from a delivery
        if kj == "drop":
            if req_of[i].place.id == req_of[j].place.id:
                return 0, 0  # the same stop
            return (ceil(tr.drop_seconds + tr.drive_seconds(loc[i], loc[j])),
                    round(tr.km(loc[i], loc[j]) / KM_UNIT))
        if kj == "pick":
            return ceil(tr.drop_seconds + tr.drive_seconds(loc[i], mp)), round(tr.km(loc[i], mp) / KM_UNIT)
        # to the driver's end
        home = loc[j]
        secs = tr.drop_seconds + min(tr.drive_seconds(loc[i], home), tr.drive_seconds(loc[i], mp))
        return ceil(secs), round(tr.km(loc[i], home) / KM_UNIT)

    secs = [[0] * n for _ in range(n)]
    cost = [[0] * n for _ in range(n)]
    for i in range(n):
        si, ci = secs[i], cost[i]
        for j in range(n):
            if i != j:
                si[j], ci[j] = leg(i, j)

    manager = pywrapcp.RoutingIndexManager(n, nv, [0] * nv, [1 + k for k in range(nv)])
    routing = pywrapcp.RoutingModel(manager)
    demand = [0] * (1 + nv)
    for r in requests:
        demand += [r.party.size, -r.party.size]
    # node-indexed matrices: the solver evaluates them without calling back into Python
    t_cb = routing.RegisterTransitMatrix(secs)
    c_cb = routing.RegisterTransitMatrix(cost)
    d_cb = routing.RegisterUnaryTransitVector(demand)
    routing.SetArcCostEvaluatorOfAllVehicles(c_cb)
    routing.AddDimensionWithVehicleCapacity(d_cb, 0, [d.seats for d in drivers], True, "seats")
    end = ceil(night.seconds(night.end))
    horizon = max([end] + [ceil(night.seconds(d.available_until)) for d in drivers]) + 1
    routing.AddDimension(t_cb, horizon, horizon, False, "time")
    tdim = routing.GetDimensionOrDie("time")
    for k, d in enumerate(drivers):
        lo = max(0, ceil(night.seconds(d.available_from)))
        until = int(night.seconds(d.available_until))
        tdim.CumulVar(routing.Start(k)).SetRange(lo, max(lo, until))
        tdim.CumulVar(routing.End(k)).SetRange(0, max(0, until))
    solver = routing.solver()
    by_party: dict[str, list] = {}
    by_place: dict[str, list] = {}
    for q, r in enumerate(requests):
        pick = manager.NodeToIndex(1 + nv + 2 * q)
        drop = manager.NodeToIndex(2 + nv + 2 * q)
        routing.AddPickupAndDelivery(pick, drop)
        solver.Add(routing.VehicleVar(pick) == routing.VehicleVar(drop))
        solver.Add(tdim.CumulVar(pick) <= tdim.CumulVar(drop))
        ws = max(0, ceil(night.seconds(r.party.waiting_since)))
        tdim.CumulVar(pick).SetRange(ws, end)
        lo, hi = 0, end
        if isinstance(r.place, Host):
            lo = max(0, ceil(night.seconds(r.place.ready_from)))
            hi = min(end, int(night.seconds(r.place.latest_arrival)))
        tdim.CumulVar(drop).SetRange(lo, max(lo, hi))
        if late_after < hi:
            tdim.SetCumulVarSoftUpperBound(drop, max(lo, int(late_after)), LATE_COST_PER_SECOND)
        routing.VehicleVar(pick).SetValues([-1] + list(r.drivers))  # -1: left out
        routing.AddDisjunction([drop], 0)
        by_party.setdefault(r.party.id, []).append((pick, r.penalty))
        by_place.setdefault(r.place.id, []).append((drop, r.party.size))
    # a party goes to one of its places or is left out; a place never gets more than its beds
    for choices in by_party.values():
        routing.AddDisjunction([pick for pick, _ in choices], choices[0][1], 1)
    places = night.places
    for pl, drops in by_place.items():
        if sum(size for _, size in drops) > places[pl].beds:
            solver.Add(solver.Sum([routing.ActiveVar(drop) * size for drop, size in drops]) <= places[pl].beds)
    for k in range(nv):
        routing.AddVariableMinimizedByFinalizer(tdim.CumulVar(routing.Start(k)))
        routing.AddVariableMinimizedByFinalizer(tdim.CumulVar(routing.End(k)))

    # Two first solutions, the solver's parallel cheapest insertion (capped at 40% of the time)
    # and ``_initial_routes``; guided local search goes on from the better one.
    started = time.monotonic()
    first = pywrapcp.DefaultRoutingSearchParameters()
    first.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    first.solution_limit = 1
    first.time_limit.FromMilliseconds(max(100, int(0.4 * time_limit * 1000)))
    starts = [("the solver's insertion", routing.SolveWithParameters(first))]
    seed_routes = _initial_routes(night, requests, secs)
    if any(seed_routes):
        initial = routing.ReadAssignmentFromRoutes(
            [[manager.NodeToIndex(node) for node in route] for route in seed_routes], True)
        if initial is not None:
            starts.append(("insertion by penalty", routing.SolveFromAssignmentWithParameters(initial, first)))
    starts = [(name, sol) for name, sol in starts if sol is not None]
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(max(100, int((time_limit - (time.monotonic() - started)) * 1000)))
    if starts:
        name, start = min(starts, key=lambda ns: ns[1].ObjectiveValue())
        log.info("routing starts from %s", name)
        solution = routing.SolveFromAssignmentWithParameters(start, params) or start
    else:
        solution = routing.SolveWithParameters(params)
    routes: dict[int, list[Request]] = {}
    if solution is None:
        log.warning("routing: no solution")
        return routes
    for k in range(nv):
        idx = solution.Value(routing.NextVar(routing.Start(k)))
        seq = []
        while not routing.IsEnd(idx):
            node = manager.IndexToNode(idx)
            seq.append((kind[node], req_of[node]))
            idx = solution.Value(routing.NextVar(idx))
        routes[k] = seq
    return routes


def trips_of_route(seq) -> list[list[Request]]:
    """Cut a route at each return to the meeting point; a trip carries the parties it drops."""
    trips, current, dropping = [], [], False
    for kind, r in seq:
        if kind == "pick":
            if dropping:
                trips.append(current)
                current, dropping = [], False
        else:
            dropping = True
            current.append(r)
    if current:
        trips.append(current)
    return trips


def _stops(reqs: list[Request]) -> list[tuple[Host | Shelter, list[Party]]]:
    stops: list[tuple[Host | Shelter, list[Party]]] = []
    for r in reqs:
        if stops and stops[-1][0].id == r.place.id:
            stops[-1][1].append(r.party)
        else:
            stops.append((r.place, [r.party]))
    return stops


def timed_trips(night: Night, driver: Driver, trips: list[list[Request]]) -> list[tuple[Trip, list[Request]]]:
    """Time a driver's trips by the format's rules, dropping whatever breaks one."""
    out: list[tuple[Trip, list[Request]]] = []
    free = max(0.0, night.seconds(driver.available_from))
    until = night.seconds(driver.available_until)
    trips = [t for t in trips if t]
    for i, reqs in enumerate(trips):
        last = i == len(trips) - 1
        while reqs:
            stops = _stops(reqs)
            ends = ["home", "meeting_point"] if last else ["meeting_point"]
            timed = [(e, time_trip(night, free, until, driver.home, stops, e)) for e in ends]
            good = [(e, t) for e, t in timed if t.ok]
            if good:
                e, t = min(good, key=lambda et: et[1].km)
                trip = Trip(driver.id, night.at(t.depart),
                            tuple(Stop(pl.id, tuple(p.id for p in ps), night.at(a))
                                  for (pl, ps), a in zip(stops, t.arrivals)),
                            e, night.at(t.end_at), t.km)
                out.append((trip, reqs))
                free = t.end_at
                break
            reqs = reqs[:-1]  # repair: leave the last drop of the trip out and retry
    return out


def routing_requests(night: Night, opts: Options, pairs: list[tuple[Party, Host | Shelter]]) -> list[Request]:
    """Pickup-and-delivery requests whose drop penalties follow the format's order.

    Weights are taken over the carried parties only, so that the sum of every penalty still
    fits the routing solver's 64-bit costs; a fixed placement outweighs all the others.
    """
    weights, _ = lex_weights([p for p, _ in pairs])
    fixed = {f.party: f.place for f in night.fixed}
    total = sum(weights.values()) + len(pairs) + 1
    big = max(1, min(10 ** 7, (2 ** 62) // (2 * total * max(1, len(pairs)))))  # above km and lateness
    out = []
    for p, place in pairs:
        worth = total if fixed.get(p.id) == place.id else weights[p.id] + returning(p, place.id)
        drivers = opts.drivers.get((p.id, place.id)) or [k for k, d in enumerate(night.drivers) if d.seats >= p.size]
        out.append(Request(p, place, worth * big, drivers))
    return out
