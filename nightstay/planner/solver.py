"""``solve(night, stop, seed, params) -> Plan``: the night planner's entry point.

It builds a complete plan at once (everyone who can be placed in priority order, fixed
placements first), then improves it by destroy-and-repair (``search``) until ``stop`` says
so, and writes the best plan found. Plans are compared exactly as NIGHT-FORMAT.md ranks
them: vulnerable people sheltered, people sheltered, fair rotation, returning guests
honoured, announced placements changed (a night planned again), the last arrival, driver
kilometres.

Fixed placements no plan can keep are set aside first (``keep``): the night is planned with
the others, and the plan's ``notes`` say why each was not kept.

Two integer programs (``assign``) guide the first plan where placing parties one by one
packs beds badly: the exact packing of vulnerable parties when one of them would be left
outside (bounded by counted work, never the clock; on a city's night a flow, rounded, since
the program would not be solved in time), and, when beds run short on a night of moderate
size, the whole assignment's relaxation (exact on small nights) as a second start.
Other starts (``start``): the coordinators' greedy plan, made at every size (about a second
at 10,000 people), and on a night planned again the announced plan rebuilt; then
every vulnerable party left outside gets the move that frees a bed for it (``free_beds``),
and on a night of moderate size every other party left outside too (planned again or not:
keeping an announced placement never costs a person).
The best start by the format's order is improved (on a night planned again, the last few
hundredths of the time put back announced parties moved for nothing: ``back_to_announced``),
and the plan written is never one the greedy plan beats. (On the clock, a greedy that has not finished when the whole budget is
spent is given up, and the log says the plan was not compared with it: only on a night far
beyond a city's, or a machine far too busy. Counted work always lets it finish.)

Two ways to stop (``stop.py``): by the clock (``MaxRuntime``: a plan is ready within its
seconds) or by counted work (``MaxWork``), so that the same night and seed give the same
plan byte for byte on any machine (and ``summary.solve_seconds`` is None, since the time
says nothing then). How the budget is shared between the stages is ``SolveParams``.
"""
from __future__ import annotations

import logging
import math
import random
import time
from dataclasses import dataclass, fields, replace

from .assign import EXACT_PAIRS, assignment_targets, vulnerable_targets
from .check import check_plan, rank_key
from .free_beds import free_beds, free_beds_for_all
from .greedy import greedy
from .insert import Work, construct
from .keep import keepable
from .night import Night
from .plan import Placement, Plan, Stop, Trip
from .problem import CAR, WALK, Problem
from .routes import stop_times
from .search import improve
from .start import back_to_announced, best_start, vulnerable_first
from .state import State
from .stop import StoppingCriterion

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SolveParams:
    """How ``solve`` shares its budget between its stages; checked when made.

    The defaults are the ones the benchmarks were measured with (benchmarks/).
    """

    # After this share of the budget the construction hurries (fewer places and drivers tried).
    hurry_share: float = 0.5
    # On the clock, kept back for writing the plan: this share of the budget and these seconds.
    # Counted work does not count the writing, so the search then has the whole budget.
    writing_share: float = 0.03
    writing_seconds: float = 0.02
    # measured on a busy 2-core machine at 10,000 people: writing takes about this much a party
    writing_seconds_per_party: float = 30e-6
    # The exact packing of vulnerable parties is bounded by CP-SAT's deterministic seconds: this
    # many per second of the budget (and never fewer than for a budget of min_packing_seconds);
    # packings of ~300 vulnerable parties finish in far less. The clock is only a net: this
    # share of the budget (at least a second), or safety_net_seconds under counted work.
    packing_work_per_second: float = 0.25
    min_packing_seconds: float = 1.0
    packing_share: float = 0.5
    safety_net_seconds: float = 60.0
    # The assignment's relaxation is tried only if the first plan was built within this share
    # of the budget, and gets this share as its clock limit.
    relaxation_before_share: float = 0.3
    relaxation_share: float = 0.2
    # Above this many (party, place) pairs the relaxation costs more time than it saves: measured
    # on a busy 2-core machine, 13,000 pairs take 0.2 s, 26,000 0.3 s, 48,000 0.9 s.
    max_relaxation_pairs: int = 30_000
    # Up to this many parties, every party left outside (not only the vulnerable) gets the move
    # that frees a bed for it (``free_beds_for_all``), on the search's time.
    free_beds_max_parties: int = 1_200
    # On a night planned again, this share of the budget puts back announced parties the search
    # moved for nothing (``start.back_to_announced``).
    back_share: float = 0.05

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"{f.name} must be a number, got {value!r}")
            if value < 0:
                raise ValueError(f"{f.name} must be >= 0, got {value!r}")
            if f.name.endswith("_share") and value > 1:
                raise ValueError(f"{f.name} is a share of the budget: between 0 and 1, got {value!r}")
        for name in ("max_relaxation_pairs", "free_beds_max_parties"):
            if not isinstance(getattr(self, name), int):
                raise ValueError(f"{name} must be a whole number, got {getattr(self, name)!r}")


def solve(night: Night, stop: StoppingCriterion, seed: int = 0, params: SolveParams = SolveParams()) -> Plan:
    """The best plan found for ``night`` before ``stop`` says so (see the module doc)."""
    started = time.perf_counter()
    hurry = stop.share(params.hurry_share)  # the clock starts here
    pb = Problem.build(night)
    # counted work does not count the writing, so it keeps nothing back; the clock keeps back a
    # share, some seconds and a little per party (a city's night takes a few tenths to write)
    search_stop = stop if stop.deterministic else stop.share(
        1 - params.writing_share, params.writing_seconds + params.writing_seconds_per_party * pb.n)
    kept, broken = keepable(pb)
    if broken:  # plan the night with the fixed placements it can keep; the checker names the rest
        keep = {night.parties[i].id for i in kept}
        night = replace(night, fixed=tuple(f for f in night.fixed if f.party in keep))
        pb = Problem.build(night)
    rng = random.Random(seed)
    work = Work()
    st = State(pb)
    st.floor = _last_arrival_floor(pb)
    targets = _vulnerable_packing(pb, work, hurry, stop, params)
    construct(st, work, hurry, targets, rush=search_stop)
    log.debug("constructed: %s after %d units of work", st.score(), work.done)
    # the coordinators' greedy: a start, and a floor under the plan written, at any size (about a
    # second at 10,000 people). After the construction, so that a plan is ready in time whatever
    # happens: on the clock it gives up if the search's whole budget runs out before it finishes
    # (a night far beyond a city's, or a machine far too busy), and the plan is then written
    # without the comparison. Counted work always lets it finish.
    baseline = greedy(night, None if stop.deterministic else lambda: search_stop(work))
    if baseline is None:
        log.warning("the coordinators' greedy did not finish in %g s: the plan is not compared with it",
                    stop.seconds)
    st = best_start(st, targets, work, hurry, baseline)
    st = free_beds(st, work, hurry)
    # the others too, and a start with the cars for the vulnerable first, on the search's time;
    # on a night planned again too, since announced placements rank below people sheltered: the
    # moves compare nights as if nothing was announced and are kept only if they shelter more
    # (winter seed 101 at 150 people, a fifth of the hosts cancelled: 95 people without, 100 with)
    if pb.n <= params.free_beds_max_parties:
        st = free_beds_for_all(st, work, search_stop)
        st = vulnerable_first(pb, st, work, search_stop, seed)
    in_time = stop.deterministic or time.perf_counter() - started <= params.relaxation_before_share * stop.seconds
    if in_time and not hurry(work) and _beds_short(pb, st, params):
        other = State(pb)
        other.floor = st.floor
        construct(other, work, hurry, assignment_targets(pb, targets, stop.seconds * params.relaxation_share,
                                                         stop.deterministic))
        log.debug("constructed from the relaxation: %s", other.score())
        if other.score() < st.score():
            st = other
    if night.announced_at:  # the search leaves a little time to put announced parties back
        st = improve(st, rng, search_stop.share(1 - params.back_share), work)
        st = back_to_announced(st, work, search_stop)
    else:
        st = improve(st, rng, search_stop, work)
    log.debug("improved: %s after %d units of work", st.score(), work.done)
    plan = write_plan(pb, st).summarized(night, None if stop.deterministic else time.perf_counter() - started)
    if (baseline is not None and rank_key(baseline.summary) < rank_key(plan.summary)
            and check_plan(night, baseline.to_json()).valid):  # (a fixed ride the greedy missed: not better)
        log.debug("the greedy plan ranks better: written instead")
        plan = replace(baseline, summary={**baseline.summary, "solve_seconds": plan.summary["solve_seconds"]})
    return replace(plan, notes=tuple(broken))


def _beds_short(pb: Problem, st: State, params: SolveParams) -> bool:
    """Is who gets the beds a real choice, worth the assignment's relaxation?

    Yes when a party is left out because every bed that would take it is taken, and either
    the night has fewer beds than people or it is small enough to be solved exactly. With
    more beds than people, the parties left out on a big night are the cars' shortfall, which
    the relaxation cannot see.
    """
    pairs = sum(map(len, pb.compat))
    if pairs > params.max_relaxation_pairs:
        return False
    reachable = sum(pb.size[i] for i in range(pb.n) if pb.compat[i])
    if sum(pb.beds) >= reachable and pairs > EXACT_PAIRS:
        return False
    return any(st.place[i] < 0 and pb.compat[i] and not any(st.fits(i, j) for j in pb.compat[i])
               for i in range(pb.n))


def _vulnerable_packing(pb: Problem, work: Work, hurry: StoppingCriterion, stop: StoppingCriterion,
                        params: SolveParams) -> dict[int, int]:
    """Places for vulnerable parties when inserting them one by one leaves some outside.

    Vulnerable parties are inserted alone first (they come first anyway); only if some of
    them find no bed is the exact packing of ``assign`` asked for, started from what the
    insertion found, and used if it does better. Its limit is counted work, never the clock
    (which is only a net, at the whole time limit, against a runaway solve).
    """
    vulnerable = [i for i in range(pb.n) if pb.vulnerable[i]]
    reachable = sum(pb.size[i] for i in vulnerable if pb.compat[i] or i in pb.fixed)
    probe = State(pb)
    probe.floor = _last_arrival_floor(pb)  # as in the real construction, which it stands for
    construct(probe, work, hurry, parties=vulnerable)
    if probe.vuln >= reachable and pb.night.announced is None:
        return {}
    hint = {i: probe.place[i] for i in vulnerable if probe.place[i] >= 0 and i not in pb.fixed}
    work_seconds = params.packing_work_per_second * max(stop.seconds, params.min_packing_seconds)
    clock = params.safety_net_seconds if stop.deterministic else max(params.packing_share * stop.seconds, 1.0)
    packed, targets = vulnerable_targets(pb, hint, work_seconds, clock)
    log.debug("vulnerable people: %d inserted one by one, %d packed", probe.vuln, packed)
    return targets if packed > probe.vuln or (pb.night.announced is not None and packed >= probe.vuln) else {}


def _last_arrival_floor(pb: Problem) -> float:
    """No plan that shelters everyone who can be sheltered lands its last guest earlier."""
    return max((a for a in pb.soonest if a != float("inf")), default=0.0)


def write_plan(pb: Problem, st: State) -> Plan:
    night = pb.night
    at = night.at
    arrive: dict[int, float] = {}
    trips = []
    for d, route in enumerate(st.routes):
        if not route:
            continue
        times = stop_times(pb, d, [(t.wait, [j for j, _ in t.stops]) for t in route])
        for t, (depart, arrivals, end_at, end) in zip(route, times):
            stops = []
            for (j, guests), a in zip(t.stops, arrivals):
                for i in guests:
                    arrive[i] = a
                stops.append(Stop(pb.places[j].id, tuple(night.parties[i].id for i in guests), at(a)))
            trips.append(Trip(night.drivers[d].id, at(depart), tuple(stops), end, at(end_at),
                              _trip_km(pb, d, t, end)))
    placements, unplaced = [], []
    for i, party in enumerate(night.parties):
        j = st.place[i]
        if j < 0:
            unplaced.append(party.id)
            continue
        if pb.reach[j] == WALK:
            a = pb.wait[i] + pb.walk[j]
        elif pb.reach[j] == CAR:
            a = arrive.get(i, pb.ready[j])  # a fixed party no driver could take
        else:
            a = st.plast[j]
        placements.append(Placement(party.id, pb.places[j].id, at(a)))
    return Plan(placements=placements, unplaced=unplaced, trips=trips)


def _trip_km(pb: Problem, d: int, trip, end: str) -> float:
    here, km = 0, 0.0
    for j, _ in trip.stops:
        km += pb.K[here][j + 1]
        here = j + 1
    return km + pb.K[here][pb.home[d] if end == "home" else 0]
