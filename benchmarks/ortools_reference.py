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
import math
import time
from dataclasses import dataclass, field

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from nightstay.planner.night import Driver, Host, Night, Party, Shelter
from nightstay.planner.plan import Placement, Plan, Stop, Trip, self_pickup_arrival, time_trip, walk_arrival

log = logging.getLogger(__name__)

KM_UNIT = 0.1  # routing arc costs count hundreds of metres
LATE_COST_PER_SECOND = 100  # soft cost of a car arrival after the night's other last arrival


@dataclass
class Options:
    """Where each party could go tonight, and how early it could arrive there (seconds)."""

    walk: dict[str, dict[str, float]] = field(default_factory=dict)  # party -> shelter -> arrival
    self_host: dict[str, dict[str, float]] = field(default_factory=dict)  # party -> host -> arrival if alone
    car: dict[str, dict[str, float]] = field(default_factory=dict)  # party -> place -> earliest arrival
    drivers: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # (party, place) -> driver indexes


def _ceil(x: float) -> int:
    return int(math.ceil(x - 1e-9))


def _car_reach(night: Night, place: Host | Shelter) -> tuple[np.ndarray, np.ndarray]:
    """For every party (rows, in night order) and driver (columns): can that driver take that
    party alone to ``place`` in time, and at what time would it arrive there."""
    tr = night.travel
    out = tr.drive_seconds(night.meeting_point, place.location)
    latest, ready = night.seconds(night.end), 0.0
    if isinstance(place, Host):
        latest = min(latest, night.seconds(place.latest_arrival))
        ready = night.seconds(place.ready_from)
    ws = np.array([max(0.0, night.seconds(p.waiting_since)) for p in night.parties])[:, None]
    size = np.array([p.size for p in night.parties])[:, None]
    free = np.array([max(0.0, night.seconds(d.available_from)) for d in night.drivers])[None, :]
    seats = np.array([d.seats for d in night.drivers])[None, :]
    until = np.array([night.seconds(d.available_until) for d in night.drivers])[None, :]
    home = np.array([min(tr.drive_seconds(place.location, d.home), out) for d in night.drivers])[None, :]
    arrive = np.maximum(np.maximum(free, ws) + tr.board_seconds + out, ready)
    ok = (seats >= size) & (arrive <= latest) & (arrive + tr.drop_seconds + home <= until)
    return ok, arrive


def _options(night: Night) -> Options:
    """Every (party, place) pair allowed by acceptance and reachable in time by some means."""
    end = night.seconds(night.end)
    opts = Options()
    for p in night.parties:
        opts.walk[p.id], opts.self_host[p.id], opts.car[p.id] = {}, {}, {}
        for s in night.shelters:
            if not s.fits(p):
                continue
            if not s.by_car:
                arr = walk_arrival(night, p, s)
                if arr <= end:
                    opts.walk[p.id][s.id] = arr
        for h in night.hosts:
            if not h.fits(p) or h.by_car:
                continue
            arr = self_pickup_arrival(night, h, [p])
            if arr <= min(end, night.seconds(h.latest_arrival)):
                opts.self_host[p.id][h.id] = arr
    for place in (*night.shelters, *night.hosts):
        if not place.by_car or not night.drivers:
            continue
        ok, arrive = _car_reach(night, place)
        earliest = np.where(ok, arrive, np.inf).min(axis=1).tolist()
        for i in np.flatnonzero(ok.any(axis=1)).tolist():
            p = night.parties[i]
            if place.fits(p):
                opts.drivers[p.id, place.id] = np.flatnonzero(ok[i]).tolist()
                opts.car[p.id][place.id] = earliest[i]
    return opts


def _lex_weights(parties: list[Party]) -> tuple[dict[str, int], int]:
    """One integer per party so that sums compare like the format's criteria 1 to 3, and the
    unit of criterion 4 (a returning wish honoured, worth 1).

    A party's weight is vulnerable people x A + people x B + rotation x C, each unit strictly
    larger than any possible total of the units below it; C exceeds the number of parties.
    """
    n = len(parties)
    people = sum(p.size for p in parties)
    c = n + 1
    b = c * (7 * people + 1)
    a = b * (people + 1)
    return {p.id: (p.size if p.vulnerable else 0) * a + p.size * b + p.size * p.nights_outside * c
            for p in parties}, 1


def _returning(p: Party, place_id: str) -> int:
    return 1 if p.returning_to == place_id else 0


def _round_trip(night: Night, place: Host | Shelter) -> float:
    """Driver seconds one car trip to ``place`` and back takes: the unit of the seat budget."""
    tr = night.travel
    return tr.board_seconds + 2 * tr.drive_seconds(night.meeting_point, place.location) + tr.drop_seconds


def _lp_guide(night: Night, cands: dict[str, dict[str, float]], car_budget: float | None) -> dict[tuple, float]:
    """The assignment's linear relaxation (GLOP): how much of each (party, place) pair it takes.

    On these nights the relaxation is nearly integral and solves in well under a second, where
    CP-SAT's search barely moves from its start in the same time: it is the compass the
    rounding below follows.
    """
    places = night.places
    pmap = night.party_by_id
    weights, _ = _lex_weights(list(night.parties))
    lp = pywraplp.Solver.CreateSolver("GLOP")
    if lp is None:
        return {}
    x = {(pid, pl): lp.NumVar(0.0, 1.0, "") for pid, c in cands.items() for pl in c}
    fixed = {f.party for f in night.fixed}
    one = {pid: lp.Constraint(1.0 if pid in fixed else 0.0, 1.0) for pid in cands}
    beds = {}
    for pl, place in places.items():
        if isinstance(place, Host):
            men = lp.NumVar(0.0, 1.0, "")
            beds[pl, "m"] = lp.Constraint(-lp.infinity(), 0.0)
            beds[pl, "m"].SetCoefficient(men, -place.beds)
            beds[pl, "f"] = lp.Constraint(-lp.infinity(), place.beds)
            beds[pl, "f"].SetCoefficient(men, place.beds)
        else:
            beds[pl, "m"] = beds[pl, "f"] = lp.Constraint(-lp.infinity(), place.beds)
    budget = lp.Constraint(-lp.infinity(), float(car_budget)) if car_budget is not None else None
    obj = lp.Objective()
    trip = {pl: _ceil(_round_trip(night, place)) for pl, place in places.items() if place.by_car}
    for (pid, pl), v in x.items():
        p = pmap[pid]
        one[pid].SetCoefficient(v, 1.0)
        beds[pl, p.kind].SetCoefficient(v, p.size)
        if budget is not None and places[pl].by_car:
            budget.SetCoefficient(v, trip[pl] * p.size)
        obj.SetCoefficient(v, weights[pid] + _returning(p, pl))
    obj.SetMaximization()
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        return {}
    return {key: v.solution_value() for key, v in x.items()}


def _greedy(night: Night, cands: dict[str, dict[str, float]], car_budget: float | None,
            guide: dict[tuple, float] | None = None, keep: dict[str, str] | None = None) -> dict[str, str]:
    """Round the relaxation: most important parties first, each to the place the relaxation
    likes best among those with room (then a returning wish, walking or self-pickup, nearest).

    Placements in ``keep`` are made first, so an earlier answer is extended, never lost.
    """
    guide = dict(guide or {})
    keep = keep or {}
    for pid, pl in keep.items():
        guide[pid, pl] = 2.0  # above any relaxation value: tried first
    places = night.places
    weights, _ = _lex_weights(list(night.parties))
    free = {pl: places[pl].beds for pl in places}
    kind_at: dict[str, str] = {}
    fixed = {f.party for f in night.fixed}
    spent = 0
    out = {}
    trip = {pl: _ceil(_round_trip(night, place)) for pl, place in places.items() if place.by_car}
    mass = {pid: sum(guide.get((pid, pl), 0.0) for pl in c) for pid, c in cands.items()}
    for p in sorted(night.parties, key=lambda p: (p.id not in fixed, p.id not in keep, mass.get(p.id, 0.0) < 0.5,
                                                  -weights[p.id])):
        for pl in sorted(cands.get(p.id, {}), key=lambda pl: (-round(guide.get((p.id, pl), 0.0), 6),
                                                               p.returning_to != pl, places[pl].by_car,
                                                               cands[p.id][pl])):
            place = places[pl]
            cost = trip[pl] * p.size if place.by_car else 0
            if free[pl] < p.size or kind_at.get(pl, p.kind) != p.kind:
                continue
            if cost and car_budget is not None and spent + cost > int(car_budget):
                continue
            free[pl] -= p.size
            spent += cost
            if isinstance(place, Host):
                kind_at[pl] = p.kind
            out[p.id] = pl
            break
    return out


def _assign(night: Night, opts: Options, polish_until: float | None, seed: int, *, car_budget: float | None,
            car_fixed: dict[str, str] | None = None, hint: dict[str, str] | None = None) -> dict[str, str]:
    """party -> place, best by the format's order, then with as few people in cars.

    The linear relaxation, rounded (``_lp_guide``, ``_greedy``), gives the start; CP-SAT then
    polishes it until ``polish_until`` (a ``time.monotonic()`` instant; None: the start is the answer).

    ``car_budget`` bounds the driver seat-seconds spent on car placements (first pass);
    ``car_fixed`` (second pass) leaves out the parties the cars really carry and every other car
    placement, so only walking and self-pickup places are left to fill. The model is kept lean
    (one Boolean per pair, one per host for its gender side, linear constraints only) because
    CP-SAT's presolve is the cost that grows with the night.
    """
    parties = night.parties
    places = night.places
    pmap = night.party_by_id
    fixed = {f.party: f.place for f in night.fixed}
    cands: dict[str, dict[str, float]] = {}
    for p in parties:
        if car_fixed is not None and p.id in car_fixed:
            continue
        c = {**opts.walk[p.id], **opts.self_host[p.id]}
        if car_fixed is None:
            c.update(opts.car[p.id])
        if p.id in fixed:
            f = fixed[p.id]
            c = {f: c.get(f, 0.0)} if (car_fixed is None or not places[f].by_car) else {}
        cands[p.id] = c
    guide = _lp_guide(night, cands, car_budget)
    starts = [_greedy(night, cands, car_budget, guide)]
    if hint:
        starts.append(_greedy(night, cands, car_budget, guide, keep=hint))
    w, _ = _lex_weights(list(parties))
    start = max(starts, key=lambda a: sum(w[pid] + _returning(pmap[pid], pl) for pid, pl in a.items()))
    if polish_until is None or polish_until - time.monotonic() < 0.5:
        return start
    m = cp_model.CpModel()
    x = {(pid, pl): m.NewBoolVar("") for pid, c in cands.items() for pl in c}
    by_party: dict[str, list] = {}
    by_place: dict[str, list] = {}
    for (pid, pl), v in x.items():
        by_party.setdefault(pid, []).append(v)
        by_place.setdefault(pl, []).append((pid, v))
    for pid, vs in by_party.items():
        if pid in fixed:
            m.Add(sum(vs) == 1)
        else:
            m.AddAtMostOne(vs)
    def people(pvs):
        return cp_model.LinearExpr.WeightedSum([v for _, v in pvs], [pmap[pid].size for pid, _ in pvs])

    men_at = {pl: pmap[pid].kind == "m" for pid, pl in start.items()}
    for pl, pvs in by_place.items():
        beds = places[pl].beds
        if isinstance(places[pl], Host):
            men = m.NewBoolVar("")
            m.AddHint(men, men_at.get(pl, True))
            m.Add(people([(pid, v) for pid, v in pvs if pmap[pid].kind == "m"]) <= beds * men)
            m.Add(people([(pid, v) for pid, v in pvs if pmap[pid].kind != "m"]) <= beds * (1 - men))
        else:
            m.Add(people(pvs) <= beds)
    by_car = [(pid, pl, v) for (pid, pl), v in x.items() if places[pl].by_car]
    car_people = people([(pid, v) for pid, _, v in by_car])
    if car_budget is not None and by_car:
        trip = {pl: _ceil(_round_trip(night, places[pl])) for pl in {pl for _, pl, _ in by_car}}
        m.Add(cp_model.LinearExpr.WeightedSum([v for _, _, v in by_car],
                                              [trip[pl] * pmap[pid].size for pid, pl, _ in by_car])
              <= int(car_budget))
    lex = cp_model.LinearExpr.WeightedSum(list(x.values()),
                                          [w[pid] + _returning(pmap[pid], pl) for pid, pl in x])
    for (pid, pl), v in x.items():
        m.AddHint(v, start.get(pid) == pl)
    # Two stages: the format's criteria 1-4 first, then, without losing any of it, as few
    # people in cars as possible (cars are the scarce resource the routing still has to share).
    m.Maximize(lex)
    solver = cp_model.CpSolver()
    time_limit = max(0.1, polish_until - time.monotonic())
    solver.parameters.max_time_in_seconds = max(0.1, 0.75 * time_limit)
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = 2
    # presolve and probing cost seconds on a 25,000-pair night for little: keep them short
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.symmetry_level = 0
    solver.parameters.max_presolve_iterations = 1
    status = solver.Solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        log.warning("assignment: no solution (%s), keeping the greedy start", solver.StatusName(status))
        return {pid: pl for pid, pl in start.items() if (pid, pl) in x}
    chosen = {key for key, v in x.items() if solver.Value(v)}
    if by_car:
        m.ClearHints()
        for v in x.values():
            m.AddHint(v, solver.Value(v))
        m.Add(lex >= int(solver.ObjectiveValue()))
        m.Minimize(car_people)
        solver.parameters.max_time_in_seconds = max(0.1, 0.25 * time_limit)
        if solver.Solve(m) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            chosen = {key for key, v in x.items() if solver.Value(v)}
    return dict(chosen)


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
    end = _ceil(night.seconds(night.end))
    ws, lo, hi = [], [], []
    for r in requests:
        ws.append(max(0, _ceil(night.seconds(r.party.waiting_since))))
        a, b = 0, end
        if isinstance(r.place, Host):
            a = max(0, _ceil(night.seconds(r.place.ready_from)))
            b = min(end, int(night.seconds(r.place.latest_arrival)))
        lo.append(a)
        hi.append(b)
    free = [max(0, _ceil(night.seconds(d.available_from))) for d in night.drivers]
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


def _route(night: Night, requests: list[Request], late_after: float, time_limit: float) -> dict[int, list[Request]]:
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
            return (_ceil(tr.board_seconds + tr.drive_seconds(mp, loc[j])),
                    round(tr.km(mp, loc[j]) / KM_UNIT))
        # from a delivery
        if kj == "drop":
            if req_of[i].place.id == req_of[j].place.id:
                return 0, 0  # the same stop
            return (_ceil(tr.drop_seconds + tr.drive_seconds(loc[i], loc[j])),
                    round(tr.km(loc[i], loc[j]) / KM_UNIT))
        if kj == "pick":
            return _ceil(tr.drop_seconds + tr.drive_seconds(loc[i], mp)), round(tr.km(loc[i], mp) / KM_UNIT)
        # to the driver's end
        home = loc[j]
        secs = tr.drop_seconds + min(tr.drive_seconds(loc[i], home), tr.drive_seconds(loc[i], mp))
        return _ceil(secs), round(tr.km(loc[i], home) / KM_UNIT)

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
    end = _ceil(night.seconds(night.end))
    horizon = max([end] + [_ceil(night.seconds(d.available_until)) for d in drivers]) + 1
    routing.AddDimension(t_cb, horizon, horizon, False, "time")
    tdim = routing.GetDimensionOrDie("time")
    for k, d in enumerate(drivers):
        lo = max(0, _ceil(night.seconds(d.available_from)))
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
        ws = max(0, _ceil(night.seconds(r.party.waiting_since)))
        tdim.CumulVar(pick).SetRange(ws, end)
        lo, hi = 0, end
        if isinstance(r.place, Host):
            lo = max(0, _ceil(night.seconds(r.place.ready_from)))
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


def _trips_of_route(seq) -> list[list[Request]]:
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


def _timed_trips(night: Night, driver: Driver, trips: list[list[Request]]) -> list[tuple[Trip, list[Request]]]:
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


def _requests(night: Night, opts: Options, pairs: list[tuple[Party, Host | Shelter]]) -> list[Request]:
    """Pickup-and-delivery requests whose drop penalties follow the format's order.

    Weights are taken over the carried parties only, so that the sum of every penalty still
    fits the routing solver's 64-bit costs; a fixed placement outweighs all the others.
    """
    weights, _ = _lex_weights([p for p, _ in pairs])
    fixed = {f.party: f.place for f in night.fixed}
    total = sum(weights.values()) + len(pairs) + 1
    big = max(1, min(10 ** 7, (2 ** 62) // (2 * total * max(1, len(pairs)))))  # above km and lateness
    out = []
    for p, place in pairs:
        worth = total if fixed.get(p.id) == place.id else weights[p.id] + _returning(p, place.id)
        drivers = opts.drivers.get((p.id, place.id)) or [k for k, d in enumerate(night.drivers) if d.seats >= p.size]
        out.append(Request(p, place, worth * big, drivers))
    return out


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
    weights, _ = _lex_weights(list(night.parties))
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
    assigned = _assign(night, opts, None, seed, car_budget=budget)
    pairs = _alternatives(night, opts, assigned)
    out = Attempt(assigned)
    cost = {pid: _round_trip(night, places[pl]) * pmap[pid].size for pid, pl in assigned.items() if places[pl].by_car}
    out.spent = sum(cost.values())
    requests = _requests(night, opts, pairs)
    if not requests or not night.drivers:
        return out
    late_after = max([0.0] + [opts.walk[pid].get(pl, opts.self_host[pid].get(pl, 0.0))
                              for pid, pl in assigned.items() if not places[pl].by_car])
    routes = _route(night, requests, late_after, max(0.1, route_until - time.monotonic()))
    for k, seq in routes.items():
        for trip, _ in _timed_trips(night, night.drivers[k], _trips_of_route(seq)):
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
    final = _assign(night, opts, polish_until, seed, car_budget=None, car_fixed=attempt.carried,
                    hint={pid: pl for pid, pl in attempt.assigned.items() if not places[pl].by_car})
    final.update(attempt.carried)
    return final


def _worth(night: Night, final: dict[str, str]) -> int:
    weights, _ = _lex_weights(list(night.parties))
    pmap = night.party_by_id
    return sum(weights[pid] + _returning(pmap[pid], pl) for pid, pl in final.items())


def solve_reference(night: Night, time_limit: float, seed: int = 0) -> Plan:
    """The reference plan for ``night`` within about ``time_limit`` seconds."""
    t0 = time.monotonic()
    deadline = t0 + time_limit
    opts = _options(night)
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
