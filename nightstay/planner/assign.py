"""Exact bed packings: vulnerable people first, and the whole night's assignment as a guide.

Vulnerable people come before anything else, and whether they all fit is a packing
question: a family of five needs a place with five free beds that takes families, and a
woman alone cannot go to a host that already took single men. Inserting parties one by one
can pack them badly, and a search that moves a few parties at a time may never undo it. So
when the first plan leaves a vulnerable party outside, ``vulnerable_targets`` packs every
vulnerable party into the beds and hosts that accept it, counting what fixed placements
already hold, with CP-SAT: one worker and a deterministic work limit (never the wall clock,
which on a busy machine would hand back a merely feasible packing), started from the plan
the insertion made (a hint, so the answer is never worse than it). Parties alike (size, men
or women and families, the places they can reach, a host they return to) are one integer
variable per place, which keeps the model small on a city's night.

On a city's night (more than ``FLOW_PAIRS`` class-place pairs: 72,000 at 5,000 people) even
the linear relaxation takes longer than the budget, so the relaxation is a flow of people
(``_Packing.flow``, a fraction of a second) and the packing is that flow rounded
(``_Packing.pack``): still bounded by the model's size, never by the clock.

Cars are not routed here: each party is only known to be reachable on its own. But the
drivers' hours are a budget that every person dropped at a car place spends at least
(loading, the drop and the round trip, shared by the car's seats; see ``bound.py``), so a
packing that would need more driving than the night has is not offered. The insertion that
follows finds the rides, and a party no ride can take falls back to its best other place.
"""
from __future__ import annotations

import logging
import math

from .problem import CAR, Problem

log = logging.getLogger(__name__)

# In deterministic mode the solvers stop on nodes (or finish); the clock limit is only a net so
# far away that a busy machine never reaches it, since reaching it would change the plan.
SAFETY_NET_MS = 60_000
NODES = 2000  # branch-and-bound nodes in deterministic mode: packings are solved in far fewer
EXACT_PAIRS = 3000  # party-place pairs up to which the whole assignment is solved exactly
# (class, place) pairs above which the vulnerable packing's relaxation is a flow, not a linear
# program, and is only rounded: GLOP took 7 s on the 72,000 pairs of 5,000 people.
FLOW_PAIRS = 20_000
SLACK = 61.0  # the checker's slack on a driver's last deadline, and a second for rounding


def driver_budget(pb: Problem) -> tuple[float, list[float]]:
    """(seconds the drivers have tonight, the least seconds each person dropped at each place costs).

    A trip lasts at least loading, one drop and the round trip to its farthest stop (back to
    the meeting point or the driver's home); shared among at most ``seats`` people, each
    person dropped at place ``j`` costs the driver at least ``cost[j]`` seconds. The cost of a
    place no car reaches is 0 (nobody is dropped there).
    """
    hours = sum(max(0.0, u + SLACK - f) for u, f in zip(pb.until, pb.free))
    cost = []
    for j in range(len(pb.beds)):
        if pb.reach[j] != CAR or not pb.seats:
            cost.append(0.0)
            continue
        go = pb.T[0][j + 1]
        cost.append(min((pb.board + pb.drop + go + min(pb.T[j + 1][0], pb.T[j + 1][h])) / s
                        for s, h in zip(pb.seats, pb.home)))
    return hours, cost


def vulnerable_targets(pb: Problem, hint: dict[int, int], work: float,
                       safety_seconds: float = SAFETY_NET_MS / 1000) -> tuple[int, dict[int, int]]:
    """(vulnerable people placed, party -> place) of the best packing of vulnerable parties.

    ``hint`` (party -> place, a packing the insertion found) starts the search, so the answer
    places at least as many. The linear relaxation (GLOP, exact and quick) is solved first:
    when the hint already places as many people as the relaxation's bound, the hint is
    optimal and CP-SAT is not needed. ``work`` bounds CP-SAT's deterministic time (its own
    measure of work, the same on any machine); ``safety_seconds`` is only a net against a
    runaway solve. Among the best packings it prefers returning wishes, then announced
    places, then places reached without a driver. Returns ``(-1, {})`` when the solver
    finds nothing.
    """
    from ortools.linear_solver import pywraplp

    packing = _Packing(pb, hint)
    if not packing.classes:
        return 0, {}
    fixed = sum(pb.size[i] for i in pb.fixed if pb.vulnerable[i])
    hint = {i: j for i, j in hint.items() if pb.vulnerable[i] and i not in pb.fixed}
    best = (sum(pb.size[i] for i in hint), hint)
    if sum(len(key[2]) for key in packing.classes) > FLOW_PAIRS:  # a city's night: the flow, rounded
        bound, rounded = packing.pack()
        best = max(best, (sum(pb.size[i] for i in rounded), rounded), key=lambda b: b[0])
        log.debug("vulnerable packing: %d people of at most %d, from the flow", best[0] + fixed, bound + fixed)
        return best[0] + fixed, best[1]
    lp = packing.solve("GLOP", integral=False, params="")
    if lp is not None:
        bound = int(lp[0] + 1e-6)
        rounded = packing.round(lp[1])
        best = max(best, (sum(pb.size[i] for i in rounded), rounded), key=lambda b: b[0])
        if best[0] >= bound:
            log.debug("vulnerable packing: %d people, the relaxation's bound", best[0] + fixed)
            return best[0] + fixed, best[1]
    packing.hint = best[1]
    # CP-SAT through the linear-solver wrapper: its own module would import pandas (two seconds)
    found = packing.solve("CP-SAT", integral=True, safety_seconds=safety_seconds,
                          params=f"num_workers:1 random_seed:0 max_deterministic_time:{work:.3f}")
    if found is None or found[0] <= best[0]:
        return best[0] + fixed, best[1]
    people, values, optimal = found
    log.debug("vulnerable packing: %d people (%s)", people + fixed, "optimal" if optimal else "feasible")
    return round(people) + fixed, packing.targets(values)


class _Packing:
    """The vulnerable packing's model: parties alike are one variable per place they can take."""

    def __init__(self, pb: Problem, hint: dict[int, int]):
        self.pb, self.hint = pb, hint
        self.used = used = [0] * len(pb.beds)
        kinds = [set() for _ in pb.beds]
        for i, j in pb.fixed.items():
            used[j] += pb.size[i]
            kinds[j].add(pb.kind[i])
        announced = dict(pb.night.announced_at)
        self.classes: dict[tuple, list[int]] = {}  # (size, kind, places, returning to, announced at) -> parties
        for i in range(pb.n):
            if not pb.vulnerable[i] or i in pb.fixed:
                continue
            places = tuple(j for j in pb.compat[i] if used[j] + pb.size[i] <= pb.beds[j]
                           and not (pb.is_host[j] and kinds[j] - {pb.kind[i]}))
            if places:
                key = (pb.size[i], pb.kind[i], places, pb.returning[i], announced.get(i, -1))
                self.classes.setdefault(key, []).append(i)

    def solve(self, backend: str, integral: bool, params: str, safety_seconds: float = SAFETY_NET_MS / 1000):
        """(vulnerable people packed, (class, place) -> value, optimal?) or None if nothing was found."""
        from ortools.linear_solver import pywraplp

        pb, classes, used = self.pb, self.classes, self.used
        solver = pywraplp.Solver.CreateSolver(backend)
        if solver is None:  # pragma: no cover - ortools is a pinned dependency
            return None
        var = solver.IntVar if integral else solver.NumVar
        hours, cost = driver_budget(pb)
        x: dict[tuple, object] = {}
        by_place: dict[int, list[tuple[tuple, object]]] = {}
        budget = solver.Constraint(0, int(hours) + 1)  # the drivers' hours, rounded in the budget's favour
        for key, members in classes.items():
            one = solver.Constraint(0, len(members))
            for j in key[2]:
                cap = min(len(members), (pb.beds[j] - used[j]) // key[0])
                if pb.reach[j] == CAR and not pb.seats:
                    cap = 0
                v = x[key, j] = var(0, cap, "")
                one.SetCoefficient(v, 1)
                by_place.setdefault(j, []).append((key, v))
                if pb.reach[j] == CAR:
                    budget.SetCoefficient(v, int(cost[j]) * key[0])
        for j, terms in by_place.items():
            beds = solver.Constraint(0, pb.beds[j] - used[j])
            for key, v in terms:
                beds.SetCoefficient(v, key[0])
            if integral and pb.is_host[j] and len({key[1] for key, _ in terms}) > 1:
                men = solver.BoolVar("")  # 1: this host takes single men, 0: women and families
                for key, v in terms:
                    cap = len(classes[key])
                    c = solver.Constraint(-solver.infinity(), 0 if key[1] == 0 else cap)
                    c.SetCoefficient(v, 1)
                    c.SetCoefficient(men, -cap if key[1] == 0 else cap)
        # one more person outweighs every preference: a returning wish, then an announced place
        # kept, then a place reached without a driver
        weight = 1 + 7 * sum(len(members) for members in classes.values())
        objective = solver.Objective()
        for (key, j), v in x.items():
            objective.SetCoefficient(v, weight * key[0] + 4 * (key[3] == j) + 2 * (key[4] == j)
                                     + (pb.reach[j] != CAR))
        objective.SetMaximization()
        if integral:
            hinted: dict[tuple, int] = {}
            for key, members in classes.items():
                for i in members:
                    if self.hint.get(i) in key[2]:
                        hinted[key, self.hint[i]] = hinted.get((key, self.hint[i]), 0) + 1
            solver.SetHint(list(x.values()), [float(hinted.get(k, 0)) for k in x])
        if params:
            solver.SetSolverSpecificParametersAsString(params)
        solver.SetTimeLimit(max(1, int(safety_seconds * 1000)))
        status = solver.Solve()
        if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            return None
        values = {k: v.solution_value() for k, v in x.items()}
        people = sum(key[0] * value for (key, _), value in values.items())
        return people, values, status == pywraplp.Solver.OPTIMAL

    def flow(self, room: list[int], kind_at: dict[int, int], left: dict[tuple, int],
             size: int = 0, follow: dict | None = None) -> tuple[float, dict]:
        """The relaxation as a flow of people: (its value, (class, place) -> parties, maybe fractions).

        Sources are the classes (``left`` of their parties), sinks the places (``room`` beds;
        a host already given a kind in ``kind_at`` only to that kind); a class sends a place
        at most what whole parties of it fill. Without the drivers' hours and the men-or-women
        rule between the classes it relaxes the packing further, so its value is still an
        upper bound. A flow is solved in a fraction of a second where the linear program of
        a city's night (tens of thousands of variables) takes seconds, and its work grows
        with the model, never with the clock. Among the largest flows, the cheapest prefers
        returning wishes, then announced places, then places reached without a driver.
        """
        from ortools.graph.python.min_cost_flow import SimpleMinCostFlow

        pb = self.pb
        keys = [key for key in self.classes if left[key] and size in (0, key[0])]
        places = sorted({j for key in keys for j in key[2] if room[j] >= key[0]})
        node = {j: 1 + len(keys) + k for k, j in enumerate(places)}
        sink = 1 + len(keys) + len(places)
        flow, arcs = SimpleMinCostFlow(), []
        for c, key in enumerate(keys, start=1):
            flow.add_arc_with_capacity_and_unit_cost(0, c, key[0] * left[key], 0)
            for j in key[2]:
                if room[j] < key[0] or (pb.reach[j] == CAR and not pb.seats) or kind_at.get(j, key[1]) != key[1]:
                    continue
                cost = -(4 * (key[3] == j) + 2 * (key[4] == j) + (pb.reach[j] != CAR) + 8 * ((key, j) in (follow or ())))
                arc = flow.add_arc_with_capacity_and_unit_cost(c, node[j], key[0] * (room[j] // key[0]), cost)
                arcs.append((arc, key, j))
        for j in places:
            flow.add_arc_with_capacity_and_unit_cost(node[j], sink, room[j] - room[j] % max(1, size), 0)
        people = sum(key[0] * left[key] for key in keys)
        flow.set_node_supply(0, people)
        flow.set_node_supply(sink, -people)
        if not arcs or flow.solve_max_flow_with_min_cost() != flow.OPTIMAL:
            return 0.0, {}
        values = {(key, j): flow.flow(a) / key[0] for a, key, j in arcs if flow.flow(a)}
        return float(sum(flow.flow(a) for a, _, _ in arcs)), values

    def pack(self) -> tuple[float, dict[int, int]]:
        """(the flow's bound, party -> place) on a city's night.

        The flow says which hosts take men and which women and families (the larger side of
        what it sends them); then the parties are packed one size at a time, largest first,
        along that flow where they can, by flows whose every capacity is a multiple of the
        size, so that each moves whole parties only.
        """
        pb = self.pb
        room = [b - u for b, u in zip(pb.beds, self.used)]
        kind_at: dict[int, int] = {}
        queue = {key: sorted(members, key=lambda i: (pb.wait[i], i)) for key, members in self.classes.items()}
        targets: dict[int, int] = {}
        bound, values = self.flow(room, kind_at, {key: len(q) for key, q in queue.items()})
        people: dict[int, list[float]] = {}
        for (key, j), v in values.items():
            if pb.is_host[j]:
                people.setdefault(j, [0.0, 0.0])[key[1]] += key[0] * v
        for j, (men, others) in people.items():
            kind_at[j] = 0 if men > others else 1  # a host with both keeps the larger side
        rounds = sorted({key[0] for key in queue}, reverse=True)
        for size in rounds:
            # whole parties of one size, along the first flow where it can: capacities are multiples
            _, whole = self.flow(room, kind_at, {key: len(q) for key, q in queue.items()}, size, values)
            for (key, j), v in whole.items():
                for _ in range(min(int(v + 1e-6), len(queue[key]), room[j] // key[0])):
                    targets[queue[key].pop(0)] = j  # the first come, the easiest to carry
                    room[j] -= key[0]
                    if pb.is_host[j]:
                        kind_at[j] = key[1]
        return bound, targets

    def targets(self, values: dict[tuple, float]) -> dict[int, int]:
        """party -> place for whole ``values``: in each class, the first come take the nearest places."""
        targets = {}
        for key, members in self.classes.items():
            queue = sorted(members, key=lambda i: (self.pb.wait[i], i))  # the first come, the easiest to carry
            for j in key[2]:  # nearest first
                for _ in range(int(values.get((key, j), 0) + 1e-6)):
                    if queue:
                        targets[queue.pop(0)] = j
        return targets

    def round(self, values: dict[tuple, float]) -> dict[int, int]:
        """A packing from the relaxation: its whole part where the men-or-women rule allows, then the
        parties left over, largest first, wherever a bed and the rule let them."""
        pb = self.pb
        room = [b - u for b, u in zip(pb.beds, self.used)]
        kind_at: dict[int, int] = {}
        people = {}
        for (key, j), value in values.items():
            if int(value + 1e-6) and pb.is_host[j]:
                people.setdefault(j, [0, 0])[key[1]] += key[0] * int(value + 1e-6)
        for j, (men, others) in people.items():
            kind_at[j] = 0 if men > others else 1  # a host with both keeps the larger side
        whole = {(key, j): int(v + 1e-6) for (key, j), v in values.items()
                 if not (pb.is_host[j] and kind_at.get(j, key[1]) != key[1])}
        targets = self.targets(whole)
        hours, cost = driver_budget(pb)
        for i, j in targets.items():
            room[j] -= pb.size[i]
            hours -= int(cost[j]) * pb.size[i]
        for key, members in sorted(self.classes.items(), key=lambda c: -c[0][0]):
            for i in members:
                if i in targets:
                    continue
                for j in key[2]:
                    spend = int(cost[j]) * key[0] if pb.reach[j] == CAR else 0
                    if room[j] < key[0] or spend > hours or (pb.reach[j] == CAR and not pb.seats):
                        continue
                    if not pb.is_host[j] or kind_at.setdefault(j, key[1]) == key[1]:
                        targets[i] = j
                        room[j] -= key[0]
                        hours -= spend
                        break
        return targets


def assignment_targets(pb: Problem, targets: dict[int, int], time_limit: float,
                       deterministic: bool = False) -> dict[int, int]:
    """party -> place from the linear relaxation of the whole assignment (OR-Tools' GLOP).

    When beds run short, who gets which bed decides people sheltered and fair rotation, and
    one-by-one insertion packs greedily. The relaxation weighs every party exactly in the
    format's order (vulnerable people, people, rotation, a returning wish), respects beds,
    who is accepted and the men-or-women rule at hosts (relaxed), and spends a rough budget
    of driver time on car places (a round trip per person, shared by the car's seats). It is
    nearly integral on real nights; a party whose best place takes at least half of it gets
    that place as its target. Parties already given a place in ``targets`` (the vulnerable
    packing) keep it.

    On small nights (at most ``EXACT_PAIRS`` party-place pairs) the same model is solved as an
    integer program (SCIP) instead: exact packing, where rounding a relaxation can leave a
    big party outside.
    """
    try:
        from ortools.linear_solver import pywraplp
    except ImportError:  # pragma: no cover - ortools is a pinned dependency
        return dict(targets)
    exact = sum(len(pb.compat[i]) for i in range(pb.n) if i not in targets) <= EXACT_PAIRS
    lp = pywraplp.Solver.CreateSolver("SCIP" if exact else "GLOP")
    if lp is None:  # pragma: no cover
        return dict(targets)
    if exact and deterministic:
        lp.SetSolverSpecificParametersAsString(f"limits/totalnodes = {NODES}\n")
        lp.SetTimeLimit(SAFETY_NET_MS)
    elif deterministic:  # the simplex is deterministic; a clock limit would not be on a busy machine
        lp.SetTimeLimit(SAFETY_NET_MS)
    else:
        lp.SetTimeLimit(max(1, int(time_limit * 1000)))
    var = lp.BoolVar if exact else (lambda name: lp.NumVar(0.0, 1.0, name))
    people = sum(pb.size)
    c = pb.n + 1
    b = c * (7 * people + 1)
    a = b * (people + 1)
    mean_seats = sum(pb.seats) / len(pb.seats) if pb.seats else 1.0
    budget = lp.Constraint(-lp.infinity(), sum(max(0.0, u - f) * 0.8 for u, f in zip(pb.until, pb.free)))
    men = {}
    beds = {}
    for j in range(len(pb.beds)):
        if pb.is_host[j]:
            m = men[j] = var(f"men{j}")
            beds[j, 0] = lp.Constraint(-lp.infinity(), 0.0)
            beds[j, 0].SetCoefficient(m, -pb.beds[j])
            beds[j, 1] = lp.Constraint(-lp.infinity(), pb.beds[j])
            beds[j, 1].SetCoefficient(m, pb.beds[j])
        else:
            beds[j, 0] = beds[j, 1] = lp.Constraint(-lp.infinity(), pb.beds[j])
    objective = lp.Objective()
    x = {}
    for i in range(pb.n):
        if i in pb.fixed or not pb.compat[i]:
            continue
        one = lp.Constraint(0.0, 1.0)
        weight = (a if pb.vulnerable[i] else 0) * pb.size[i] + b * pb.size[i] + c * pb.rotation[i]
        places = (targets[i],) if i in targets else pb.compat[i]
        for j in places:
            v = x[i, j] = var("")
            one.SetCoefficient(v, 1.0)
            beds[j, pb.kind[i]].SetCoefficient(v, pb.size[i])
            if pb.reach[j] == CAR:
                budget.SetCoefficient(v, (2 * pb.T[0][j + 1] + pb.board + pb.drop) * pb.size[i] / mean_seats)
            objective.SetCoefficient(v, weight + (pb.returning[i] == j))
    for i, j in pb.fixed.items():  # announced placements hold their beds
        beds[j, pb.kind[i]].SetUb(beds[j, pb.kind[i]].ub() - pb.size[i])
    objective.SetMaximization()
    params = pywraplp.MPSolverParameters()
    params.SetDoubleParam(params.RELATIVE_MIP_GAP, 0.0)
    status = lp.Solve(params)
    if status != pywraplp.Solver.OPTIMAL and not (exact and status == pywraplp.Solver.FEASIBLE):
        return dict(targets)
    out = dict(targets)
    for (i, j), v in x.items():
        # vulnerable parties the packing left out must not take the beds it counted on
        if i not in out and v.solution_value() >= 0.5 and not (targets and pb.vulnerable[i]):
            out[i] = j
    return out
