"""A coordinator's hand on the proposal: move one party to another place, or leave it out.

The proposal is rebuilt in the planner's working state, the party is taken out and put
where the coordinator said (riding with the driver who can take it at least cost, the way
the planner keeps an announced placement), the times follow from the format's rules, and
the result goes through the same checker as every plan. A move that breaks a rule is
refused with the checker's own words.
"""
from __future__ import annotations

from django.utils.translation import gettext as _

from nightstay.planner.check import check_plan
from nightstay.planner.night import Night
from nightstay.planner.problem import CAR, Problem
from nightstay.planner.solve import write_plan
from nightstay.planner.plan import summarize
from nightstay.planner.state import State


class MoveRefused(Exception):
    """The moved plan breaks a rule; the message says which."""


def load_state(pb: Problem, plan: dict) -> State:
    """The planner's working state holding ``plan`` (a plan document for ``pb.night``)."""
    night = pb.night
    party = {p.id: i for i, p in enumerate(night.parties)}
    place = {p.id: j for j, p in enumerate(pb.places)}
    driver = {d.id: k for k, d in enumerate(night.drivers)}
    st = State(pb)
    carried = set()
    for trip in plan.get("trips", []):
        d = driver[trip["driver"]]
        k = len(st.routes[d])
        for pos, stop in enumerate(trip["stops"]):
            j = place[stop["place"]]
            for n, pid in enumerate(stop["parties"]):
                mode = "join" if n else ("stop" if pos else "trip")
                st.carry(party[pid], j, d, k, pos, mode)
                carried.add(pid)
    for p in plan.get("placements", []):
        if p["party"] not in carried:
            st.put(party[p["party"]], place[p["place"]])
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
        raise MoveRefused(_("no driver can take them there in time"))
    return best


def move(night: Night, plan: dict, party_id: str, place_id: str | None) -> dict:
    """``plan`` with ``party_id`` at ``place_id`` (None: left unplaced); raises ``MoveRefused``."""
    pb = Problem.build(night)
    parties = {p.id: i for i, p in enumerate(night.parties)}
    places = {p.id: j for j, p in enumerate(pb.places)}
    if party_id not in parties:
        raise MoveRefused(_("this party is no longer waiting"))
    if place_id is not None and place_id not in places:
        raise MoveRefused(_("this place offers nothing tonight"))
    st = load_state(pb, plan)
    i = parties[party_id]
    st.remove(i)
    if place_id is not None:
        j = places[place_id]
        if pb.reach[j] != CAR:
            st.put(i, j)
        else:
            st = _ride(st, i, j)
    out = write_plan(pb, st)
    out.summary = summarize(night, out, 0.0)
    doc = out.to_json()
    verdict = check_plan(night, doc)
    if not verdict.valid:
        raise MoveRefused(verdict.errors[0])
    return doc
