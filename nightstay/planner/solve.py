"""``solve(night) -> Plan``: the night planner's entry point.

It builds a complete plan at once (everyone who can be placed in priority order, fixed
placements first), then improves it by destroy-and-repair (``search``) until the time
limit, and writes the best plan found. Plans are compared exactly as NIGHT-FORMAT.md ranks
them: vulnerable people sheltered, people sheltered, fair rotation, returning guests
honoured, the last arrival, driver kilometres.

Two integer programs (``assign``) guide the first plan where placing parties one by one
packs beds badly: the exact packing of vulnerable parties when one of them would be left
outside, and, when beds run short on a night of moderate size, the whole assignment's
relaxation (exact on small nights) as a second start; the better start is kept.

Two ways to stop: by the clock (the default; a plan is ready within ``time_limit``
seconds) or, with ``deterministic=True``, after an amount of counted work proportional to
``time_limit``, so that the same night and seed give the same plan byte for byte on any
machine (and ``summary.solve_seconds`` is None, since the time says nothing then).
"""
from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass

from .assign import EXACT_PAIRS, assignment_targets, vulnerable_targets
from .insert import Work, construct
from .night import Night
from .plan import Placement, Plan, Stop, Trip, summarize
from .problem import CAR, WALK, Problem
from .routes import stop_times
from .search import improve
from .state import State

log = logging.getLogger(__name__)

# Units of counted work (``search.Work``) per second of budget in deterministic mode: below
# the slowest rate measured (79,000 to 170,000 units per CPU second over the demo scenarios
# and 2,000 people), so a deterministic run ends within its time limit when it has a core.
WORK_PER_SECOND = 80_000
# Above this many (party, place) pairs the assignment's relaxation costs more time than it saves:
# measured on a busy 2-core machine, 13,000 pairs take 0.2 s, 26,000 0.3 s, 48,000 0.9 s.
MAX_RELAXATION_PAIRS = 30_000
# Writing the plan (placements, trips, summary, JSON) per party, measured on a busy 2-core
# machine at 10,000 people: the clock stops this much earlier.
WRITE_SECONDS_PER_PARTY = 30e-6
# The vulnerable packing's integer program is built pair by pair in Python (about 16 us a
# pair measured on a busy 2-core machine, before solving): a model that would take more than
# a quarter of the budget to build is not built.
PACKING_PAIRS_PER_SECOND = 15_000


@dataclass(frozen=True)
class Stopping:
    """When to stop improving: at a deadline on the clock, or after counted work."""

    deadline: float | None = None  # time.perf_counter() value
    max_work: int | None = None
    started: float = 0.0  # time.perf_counter() at the start, for ``progress``

    def __post_init__(self):
        if (self.deadline is None) == (self.max_work is None):
            raise ValueError("give exactly one of deadline and max_work")

    def __call__(self, work: Work) -> bool:
        if self.max_work is not None:
            return work.done >= self.max_work
        return time.perf_counter() >= self.deadline

    def progress(self, work: Work) -> float:
        """How much of the budget is spent, from 0 to 1."""
        if self.max_work is not None:
            return min(1.0, work.done / self.max_work) if self.max_work else 1.0
        span = self.deadline - self.started
        return min(1.0, (time.perf_counter() - self.started) / span) if span > 0 else 1.0


def solve(night: Night, *, time_limit: float = 2.0, seed: int = 0, deterministic: bool = False) -> Plan:
    """The best plan found for ``night`` within ``time_limit`` seconds (see the module doc)."""
    if time_limit < 0:
        raise ValueError("time_limit must be >= 0")
    started = time.perf_counter()
    pb = Problem.build(night)
    rng = random.Random(seed)
    work = Work()
    st = State(pb)
    st.floor = _last_arrival_floor(pb)
    if deterministic:
        budget = int(time_limit * WORK_PER_SECOND)
        stop, hurry = Stopping(max_work=budget), Stopping(max_work=budget // 2)
    else:
        # leave a little of the budget for writing the plan (a city's night takes a few tenths)
        reserve = time_limit * 0.03 + 0.02 + WRITE_SECONDS_PER_PARTY * pb.n
        stop = Stopping(deadline=started + max(0.0, time_limit - reserve), started=started)
        hurry = Stopping(deadline=started + time_limit * 0.5)
    targets = _vulnerable_packing(pb, work, hurry, time_limit, deterministic)
    construct(st, work, hurry, targets, rush=stop)
    log.debug("constructed: %s after %d units of work", st.score(), work.done)
    in_time = deterministic or time.perf_counter() - started <= 0.3 * time_limit
    if in_time and not hurry(work) and _beds_short(pb, st):
        other = State(pb)
        other.floor = st.floor
        construct(other, work, hurry, assignment_targets(pb, targets, time_limit * 0.2, deterministic))
        log.debug("constructed from the relaxation: %s", other.score())
        if other.score() < st.score():
            st = other
    st = improve(st, rng, stop, work)
    log.debug("improved: %s after %d units of work", st.score(), work.done)
    plan = write_plan(pb, st)
    plan.summary = summarize(night, plan, time.perf_counter() - started)
    if deterministic:
        plan.summary["solve_seconds"] = None
    return plan


def _beds_short(pb: Problem, st: State) -> bool:
    """Is who gets the beds a real choice, worth the assignment's relaxation?

    Yes when a party is left out because every bed that would take it is taken, and either
    the night has fewer beds than people or it is small enough to be solved exactly. With
    more beds than people, the parties left out on a big night are the cars' shortfall, which
    the relaxation cannot see.
    """
    pairs = sum(map(len, pb.compat))
    if pairs > MAX_RELAXATION_PAIRS:
        return False
    reachable = sum(pb.size[i] for i in range(pb.n) if pb.compat[i])
    if sum(pb.beds) >= reachable and pairs > EXACT_PAIRS:
        return False
    return any(st.place[i] < 0 and pb.compat[i] and not any(st.fits(i, j) for j in pb.compat[i])
               for i in range(pb.n))


def _vulnerable_packing(pb: Problem, work: Work, hurry: Stopping, time_limit: float,
                        deterministic: bool) -> dict[int, int]:
    """Places for vulnerable parties when inserting them one by one leaves some outside.

    Vulnerable parties are inserted alone first (they come first anyway); only if some of
    them find no bed is the exact packing of ``assign`` asked for, and used if it does better.
    """
    vulnerable = [i for i in range(pb.n) if pb.vulnerable[i]]
    pairs = sum(len(pb.compat[i]) for i in vulnerable)
    if pairs > PACKING_PAIRS_PER_SECOND * time_limit:  # no time to build it: no need to probe
        log.debug("vulnerable packing skipped: %d pairs is more than %g s can build", pairs, time_limit)
        return {}
    reachable = sum(pb.size[i] for i in vulnerable if pb.compat[i] or i in pb.fixed)
    probe = State(pb)
    probe.floor = _last_arrival_floor(pb)  # as in the real construction, which it stands for
    construct(probe, work, hurry, parties=vulnerable)
    if probe.vuln >= reachable:
        return {}
    packed, targets = vulnerable_targets(pb, time_limit * 0.25, deterministic)
    log.debug("vulnerable people: %d inserted one by one, %d packed", probe.vuln, packed)
    return targets if packed > probe.vuln else {}


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
