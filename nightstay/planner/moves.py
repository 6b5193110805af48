"""A coordinator's hand on a plan: move one party to another place, or leave it out.

The plan is rebuilt in the planner's working state, the party is taken out and put where
the coordinator said (riding with the driver who can take it at least cost, the way the
planner keeps an announced placement), the times follow from the format's rules, and the
result goes through the same checker as every plan. A move that breaks a rule is refused
with the checker's own problems, so whoever shows the refusal says it in their words.

    moved = edit(night, plan, "MENA", "H-12")   # or None: take the party out
"""
from __future__ import annotations

from .check import check
from .night import Night
from .plan import Plan
from .problem import CAR, Problem
from .problems import Refusal, Violation
from .solver import write_plan
from .state import State


def edit(night: Night, plan: Plan, party: str, place: str | None) -> Plan:
    """``plan`` with ``party`` at ``place`` (None: left unplaced); raises ``Refusal`` when that breaks a rule.

    Every other party stays where it was; the summary is computed again (``solve_seconds`` 0).
    """
    pb = Problem.build(night)
    parties = {p.id: i for i, p in enumerate(night.parties)}
    places = {p.id: j for j, p in enumerate(pb.places)}
    if party not in parties:
        raise Refusal((Violation("no_such_party", {"party": party}),))
    if place is not None and place not in places:
        raise Refusal((Violation("no_such_place", {"party": party, "place": place}),))
    st = _load(pb, plan)
    i = parties[party]
    st.remove(i)
    if place is not None:
        j = places[place]
        if pb.reach[j] != CAR:
            st.put(i, j)
        else:
            st = _ride(st, i, j)
    moved = write_plan(pb, st).summarized(night, 0.0)
    problems = check(night, moved)
    if problems:
        raise Refusal(problems)
    return moved


def _load(pb: Problem, plan: Plan) -> State:
    """The planner's working state holding ``plan`` (a plan for ``pb.night``)."""
    night = pb.night
    party = {p.id: i for i, p in enumerate(night.parties)}
    place = {p.id: j for j, p in enumerate(pb.places)}
    driver = {d.id: k for k, d in enumerate(night.drivers)}
    st = State(pb)
    carried = set()
    for trip in plan.trips:
        d = driver[trip.driver]
        k = len(st.routes[d])
        for pos, stop in enumerate(trip.stops):
            j = place[stop.place]
            for n, pid in enumerate(stop.parties):
                mode = "join" if n else ("stop" if pos else "trip")
                st.carry(party[pid], j, d, k, pos, mode)
                carried.add(pid)
    for p in plan.placements:
        if p.party not in carried:
            st.put(party[p.party], place[p.place])
    return st


def _ride(st: State, i: int, j: int) -> State:
    """``st`` with party ``i`` carried to car place ``j`` where it delays the night least.

    Every way in is tried (join a stop already going there, a new stop in a trip, a new
    trip) with every driver whose car holds the party; deadlines are the planner's timing.
    """
    pb = st.pb
    size, best, best_key = pb.size[i], None, None
    for d, route in enumerate(st.routes):
        if pb.seats[d] < size or st.late[d]:
            continue
        ways = [(k, 0, "trip") for k in range(len(route) + 1)]
        for k, trip in enumerate(route):
            if trip.load + size > pb.seats[d]:
                continue
            for pos, (sj, _guests) in enumerate(trip.stops):
                if sj == j:
                    ways.append((k, pos, "join"))
            if j not in [sj for sj, _guests in trip.stops]:
                ways += [(k, pos, "stop") for pos in range(len(trip.stops) + 1)]
        for k, pos, mode in ways:
            trial = st.copy()
            trial.carry(i, j, d, k, pos, mode)
            if trial.late[d]:
                continue
            key = (trial.last_arrival(), sum(trial.dkm))
            if best_key is None or key < best_key:
                best, best_key = trial, key
    if best is None:
        raise Refusal((Violation("no_driver", {"party": pb.night.parties[i].id, "place": pb.places[j].id}),))
    return best
