"""An exact bed assignment for vulnerable people, when insertion alone leaves some outside.

Vulnerable people come before anything else, and whether they all fit is a packing
question: a family of five needs a place with five free beds that takes families, and a
woman alone cannot go to a host that already took single men. Inserting parties one by one
can pack them badly, and a search that only moves a few parties at a time may never undo
it. So when the first plan leaves a vulnerable party outside, a small integer program
(OR-Tools' SCIP, imported only then) packs every vulnerable party into the beds and hosts
that accept it, counting what fixed placements already hold; the search then builds its
plan around that packing.

Cars are not modelled here (each party is only known to be reachable on its own); the
insertion that follows finds the rides, and a party no ride can take falls back to its
best other place.
"""
from __future__ import annotations

import logging

from .problem import CAR, Problem

log = logging.getLogger(__name__)

# In deterministic mode the solvers stop on nodes (or finish); the clock limit is only a net so
# far away that a busy machine never reaches it, since reaching it would change the plan.
SAFETY_NET_MS = 60_000
NODES = 2000  # branch-and-bound nodes in deterministic mode: packings are solved in far fewer
EXACT_PAIRS = 3000  # party-place pairs up to which the whole assignment is solved exactly


def vulnerable_targets(pb: Problem, time_limit: float, deterministic: bool = False) -> tuple[int, dict[int, int]]:
    """(vulnerable people placed, party -> place) of the best packing of vulnerable parties.

    Among the best packings it prefers places reached without a driver. Returns ``(-1, {})``
    when the solver is unavailable or finds nothing within ``time_limit`` seconds.
    ``deterministic`` bounds the search by nodes rather than time (the time limit is then
    only a far safety net), so that the same night gives the same packing.
    """
    try:
        from ortools.linear_solver import pywraplp
    except ImportError:  # pragma: no cover - ortools is a pinned dependency
        return -1, {}
    solver = pywraplp.Solver.CreateSolver("SCIP")
    if solver is None:  # pragma: no cover
        return -1, {}
    if deterministic:
        solver.SetSolverSpecificParametersAsString(f"limits/totalnodes = {NODES}\n")
        solver.SetTimeLimit(SAFETY_NET_MS)
    else:
        solver.SetTimeLimit(max(1, int(time_limit * 1000)))
    vulnerable = [i for i in range(pb.n) if pb.vulnerable[i] and i not in pb.fixed]
    used = [0] * len(pb.beds)
    kinds = [set() for _ in pb.beds]
    for i, j in pb.fixed.items():
        used[j] += pb.size[i]
        kinds[j].add(pb.kind[i])
    x: dict[tuple[int, int], object] = {}
    for i in vulnerable:
        for j in pb.compat[i]:
            if used[j] + pb.size[i] <= pb.beds[j] and not (pb.is_host[j] and kinds[j] - {pb.kind[i]}):
                x[i, j] = solver.BoolVar(f"x{i}_{j}")
    if not x:
        return 0, {}
    # built coefficient by coefficient: much faster than OR-Tools' expression API
    infinity = solver.infinity()
    by_party: dict[int, object] = {}
    by_place: dict[int, object] = {}
    place_kinds: dict[int, set] = {}
    for (i, j), v in x.items():
        if i not in by_party:
            by_party[i] = solver.Constraint(0, 1)
        by_party[i].SetCoefficient(v, 1)
        if j not in by_place:
            by_place[j] = solver.Constraint(0, pb.beds[j] - used[j])
        by_place[j].SetCoefficient(v, pb.size[i])
        place_kinds.setdefault(j, set()).add(pb.kind[i])
    men = {j: solver.BoolVar(f"men{j}") for j, ks in place_kinds.items() if pb.is_host[j] and len(ks) > 1}
    for (i, j), v in x.items():
        if j in men:  # 1: this host takes single men, 0: women and families
            c = solver.Constraint(-infinity, 0 if pb.kind[i] == 0 else 1)
            c.SetCoefficient(v, 1)
            c.SetCoefficient(men[j], -1 if pb.kind[i] == 0 else 1)
    # one more person always outweighs every preference for places without a driver
    weight = len(x) + 1
    objective = solver.Objective()
    for (i, j), v in x.items():
        objective.SetCoefficient(v, weight * pb.size[i] + (pb.reach[j] != CAR))
    objective.SetMaximization()
    status = solver.Solve()
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return -1, {}
    targets = {i: j for (i, j), v in x.items() if v.solution_value() > 0.5}
    people = sum(pb.size[i] for i in targets) + sum(pb.size[i] for i in pb.fixed if pb.vulnerable[i])
    log.debug("vulnerable packing: %d people (%s)", people, "optimal" if status == pywraplp.Solver.OPTIMAL else "feasible")
    return people, targets


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
