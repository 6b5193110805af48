"""The reference model's first step: which place each party gets (GLOP, rounding, CP-SAT polish).

Every party gets at most one place among those that accept it and that it can reach in time;
beds, fixed placements and the no-men-with-women-or-families rule at hosts are constraints,
cars a budget of seat-seconds, and the objective the format's order as one integer weight
per party. ortools_reference.py explains the whole model and runs it.
"""
from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from nightstay.planner.night import Host, Night, Party, Shelter
from nightstay.planner.plan import self_pickup_arrival, walk_arrival

log = logging.getLogger(__name__)


@dataclass
class Options:
    """Where each party could go tonight, and how early it could arrive there (seconds)."""

    walk: dict[str, dict[str, float]] = field(default_factory=dict)  # party -> shelter -> arrival
    self_host: dict[str, dict[str, float]] = field(default_factory=dict)  # party -> host -> arrival if alone
    car: dict[str, dict[str, float]] = field(default_factory=dict)  # party -> place -> earliest arrival
    drivers: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # (party, place) -> driver indexes


def ceil(x: float) -> int:
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


def options(night: Night) -> Options:
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


def lex_weights(parties: list[Party]) -> tuple[dict[str, int], int]:
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


def returning(p: Party, place_id: str) -> int:
    return 1 if p.returning_to == place_id else 0


def round_trip(night: Night, place: Host | Shelter) -> float:
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
    weights, _ = lex_weights(list(night.parties))
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
    trip = {pl: ceil(round_trip(night, place)) for pl, place in places.items() if place.by_car}
    for (pid, pl), v in x.items():
        p = pmap[pid]
        one[pid].SetCoefficient(v, 1.0)
        beds[pl, p.kind].SetCoefficient(v, p.size)
        if budget is not None and places[pl].by_car:
            budget.SetCoefficient(v, trip[pl] * p.size)
        obj.SetCoefficient(v, weights[pid] + returning(p, pl))
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
    weights, _ = lex_weights(list(night.parties))
    free = {pl: places[pl].beds for pl in places}
    kind_at: dict[str, str] = {}
    fixed = {f.party for f in night.fixed}
    spent = 0
    out = {}
    trip = {pl: ceil(round_trip(night, place)) for pl, place in places.items() if place.by_car}
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


def assign_places(night: Night, opts: Options, polish_until: float | None, seed: int, *, car_budget: float | None,
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
    w, _ = lex_weights(list(parties))
    start = max(starts, key=lambda a: sum(w[pid] + returning(pmap[pid], pl) for pid, pl in a.items()))
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
        trip = {pl: ceil(round_trip(night, places[pl])) for pl in {pl for _, pl, _ in by_car}}
        m.Add(cp_model.LinearExpr.WeightedSum([v for _, _, v in by_car],
                                              [trip[pl] * pmap[pid].size for pid, pl, _ in by_car])
              <= int(car_budget))
    lex = cp_model.LinearExpr.WeightedSum(list(x.values()),
                                          [w[pid] + returning(pmap[pid], pl) for pid, pl in x])
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
