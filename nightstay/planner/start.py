"""Starting the search from a plan made elsewhere: the coordinators' greedy, or what was announced.

The search only ever keeps a night at least as good as the one it starts from, so a start
that is already good is a floor under the result. The coordinators' greedy is such a floor:
it serves the line vulnerable first and fills each car at once, and on nights short of cars
that order can shelter more vulnerable people than insertion does; started from it, the
search can only do better. Announced placements are another: planning again during the
night begins from what hosts, drivers and guests were told (``announced_targets``).

Only the ``State`` methods the search itself uses are called (``put`` and ``carry``), so the
state is the one the search would have built, and times come from the same rules.
"""
from __future__ import annotations

import logging
import random
from dataclasses import replace

from .insert import Work, apply, best_option, construct, insert, place_fixed, priority, threshold
from .plan import Plan
from .problem import CAR, Problem
from .state import State

# Share of the budget the vulnerable people's own search gets (``vulnerable_first``): spent on
# every night that leaves vulnerable people outside, helped or not. Measured at 2 s (counted
# work): 0.1 finds the 140 vulnerable people of the two-driver night as 0.25 did, and costs
# the demo nights that gain nothing less.
VULNERABLE_SHARE = 0.1
# Guests at a place, not told it, offered a move elsewhere so that an announced party goes back there.
MAKE_ROOM_TRIED = 2

log = logging.getLogger(__name__)


def best_start(st: State, targets: dict[int, int], work: Work, hurry, baseline: Plan | None) -> State:
    """The best of ``st`` (built around the vulnerable packing's ``targets``) and the other starts.

    The others: the plain construction when ``st`` followed a packing (which counts on rides it
    cannot see), the construction from the announced placements (planning again), and the
    ``baseline`` plan (the coordinators' greedy). Ranked by the format's order (``State.score``).
    Once ``hurry`` says half the time is gone, no more constructions: the search needs the rest.
    """
    pb = st.pb
    starts = [st]

    def built(with_targets: dict[int, int]) -> State:
        other = State(pb)
        other.floor = st.floor
        construct(other, work, hurry, with_targets)
        return other

    if targets and not hurry(work):
        starts.append(built({}))
    announced = announced_targets(pb)
    if announced and not hurry(work):
        starts.append(built({**announced, **targets}))
        starts.append(from_announced(pb, announced, targets, work, st.floor))
    if baseline is not None:
        greedy = state_from_plan(pb, baseline)
        if greedy is not None:
            greedy.floor = st.floor
            starts.append(greedy)
    log.debug("starts: %s", [s.score()[:5] for s in starts])
    return min(starts, key=State.score)


def state_from_plan(pb: Problem, plan: Plan) -> State | None:
    """The search's state for ``plan`` (a plan of ``pb.night``), or None if it cannot be one.

    A plan whose trips the state would time differently (it never should, both follow the
    format's rules) or that breaks a rule the state keeps is not a start: None.
    """
    night = pb.night
    party_index = {p.id: i for i, p in enumerate(night.parties)}
    place_index = {p.id: j for j, p in enumerate(pb.places)}
    driver_index = {d.id: k for k, d in enumerate(night.drivers)}
    st = State(pb)
    by_car: dict[int, int] = {}
    for p in plan.placements:
        i, j = party_index[p.party], place_index[p.place]
        if pb.reach[j] == CAR:
            by_car[i] = j
            continue
        if not st.fits(i, j):
            return None
        st.put(i, j)
    for trip in plan.trips:
        d = driver_index[trip.driver]
        k = len(st.routes[d])
        for pos, stop in enumerate(trip.stops):
            j = place_index[stop.place]
            for n, pid in enumerate(stop.parties):
                i = party_index[pid]
                if by_car.pop(i, None) != j or not st.fits(i, j):
                    return None
                mode = "join" if n else "trip" if pos == 0 else "stop"
                st.carry(i, j, d, k, pos, mode)
    if by_car or any(st.late):
        return None
    return st


def from_announced(pb: Problem, announced: dict[int, int], targets: dict[int, int], work: Work,
                   floor: float) -> State:
    """The announced plan rebuilt: announced parties at their places, farthest places first, then the rest.

    Only placements are announced, not the rides; on a night short of cars, inserting parties
    in priority order finds fewer rides than the plan that was announced had. Far places are
    the ones a driver's evening has least room for, so they get their trips first and nearer
    drops fill in around them: on the demo nights this finds the announced plan's rides again.
    Parties who were not announced go where the vulnerable packing puts them (``targets``), if
    it does.
    """
    st = State(pb)
    st.floor = floor
    place_fixed(st, work)
    wanted = {**targets, **announced}
    for i in sorted(wanted, key=lambda i: (-pb.K[0][wanted[i] + 1], pb.wait[i], i)):
        _, action = best_option(st, i, threshold(pb, st), work, among=(wanted[i],))
        if action is not None:
            apply(st, i, action)
    for i in sorted(range(pb.n), key=lambda i: priority(pb, i)):
        if st.place[i] < 0 and i not in pb.fixed and pb.compat[i]:
            insert(st, i, work)
    return st


def announced_targets(pb: Problem) -> dict[int, int]:
    """party -> place of every announced placement the party can still reach and be accepted at."""
    return {i: j for i, j in pb.night.announced_at if j in pb.compat[i] and i not in pb.fixed}


def vulnerable_first(pb: Problem, st: State, work: Work, stop, seed: int) -> State:
    """A start that gives the cars to vulnerable people first: planned alone, then everyone else.

    On a night short of drivers, the search of the whole night moves a vulnerable family into a
    car only by chance among hundreds of single men, who hold seats and trips meanwhile: on a
    800-person night with two drivers (normal, seed 100, drivers cut to two) it left 135
    vulnerable people sheltered after 20 s, the reference model 137, where the vulnerable people
    planned alone get 140 in a tenth of 2 s. So when ``st`` leaves vulnerable people
    outside that some place takes, the night of the vulnerable (and fixed) parties alone is
    searched for ``VULNERABLE_SHARE`` of the budget, its plan becomes this night's state, and the
    others are inserted around it in priority order. Returns the better of it and ``st``; when
    it is not better, the work it counted is given back, so that counted work plans such a night
    as it did without it (on the clock, the time is gone).
    """
    from .search import improve  # the search imports what starts import
    from .solver import write_plan

    night = pb.night
    spent = work.done
    left = [i for i in range(pb.n) if pb.vulnerable[i] and st.place[i] < 0 and pb.compat[i] and i not in pb.fixed]
    if not left or not night.drivers:
        return st
    keep = [i for i in range(pb.n) if pb.vulnerable[i] or i in pb.fixed]
    sub = Problem.build(replace(night, parties=tuple(night.parties[i] for i in keep)))
    alone = State(sub)
    alone.floor = st.floor
    phase = stop.share(min(1.0, stop.progress(work) + VULNERABLE_SHARE))
    construct(alone, work, phase)
    alone = improve(alone, random.Random(seed), phase, work)
    other = state_from_plan(pb, write_plan(sub, alone))
    if other is None:  # pragma: no cover - the same rules time both states
        return st
    other.floor = st.floor
    for i in sorted(range(pb.n), key=lambda i: priority(pb, i)):
        if other.place[i] < 0 and i not in pb.fixed and pb.compat[i]:
            insert(other, i, work, hurry=int(stop(work)))
    log.debug("vulnerable first: %s, the start was %s", other.score()[:5], st.score()[:5])
    if other.score() < st.score():
        return other
    work.done = spent  # no better: the search gets the work back and plans as it would have
    return st


def back_to_announced(st: State, work: Work, stop) -> State:
    """Every announced party the search moved, put back where it was told if the night ranks better.

    The search walks through nights by who is sheltered, then arrivals and kilometres; on a night
    planned again it keeps only nights that rank better with the changes counted, but a change made
    on the way to sheltering more stays though the party could go back once the others are placed.
    This puts each one back (its place has room, or a guest who was not told that place makes room
    and goes elsewhere), keeping each move only if the night then ranks better by the format's order.
    """
    pb = st.pb
    told = dict(pb.night.announced_at)
    for i, j in pb.night.announced_at:
        if stop(work):
            break
        if st.place[i] != j and i not in pb.fixed and pb.size[i] <= pb.beds[j] and j in pb.compat[i]:
            _back(st, i, j, work, told)
    return st


def _back(st: State, i: int, j: int, work: Work, told: dict[int, int]) -> bool:
    """Try ``i`` at ``j``, alone or with one guest there who was not told ``j`` moved elsewhere."""
    pb = st.pb
    before = st.score()
    for g in [None, *(g for g in st.guests[j] if told.get(g) != j and g not in pb.fixed)][:1 + MAKE_ROOM_TRIED]:
        st.begin()
        st.remove(i)
        if g is not None:
            st.remove(g)
        work.done += 2
        _, action = best_option(st, i, threshold(pb, st), work, among=(j,))
        if action is not None:
            apply(st, i, action)
            if g is not None:
                insert(st, g, work)
            if st.score() < before:
                st.commit()
                return True
        st.rollback()
    return False
