"""A coordinator's hand on the proposal: move one party to another place, or leave it out.

The proposal is rebuilt in the planner's working state, the party is taken out and put
where the coordinator said (riding with the driver who can take it at least cost, the way
the planner keeps an announced placement), the times follow from the format's rules, and
the result goes through the same checker as every plan. A move that breaks a rule is
refused with the checker's own words.
"""
from __future__ import annotations

from nightstay.planner.check import check_plan
from nightstay.planner.night import Night
from nightstay.planner.problem import CAR, Problem
from nightstay.planner.search import Work, apply, best_option, threshold
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


def move(night: Night, plan: dict, party_id: str, place_id: str | None) -> dict:
    """``plan`` with ``party_id`` at ``place_id`` (None: left unplaced); raises ``MoveRefused``."""
    pb = Problem.build(night)
    parties = {p.id: i for i, p in enumerate(night.parties)}
    places = {p.id: j for j, p in enumerate(pb.places)}
    if party_id not in parties:
        raise MoveRefused("this party is no longer waiting")
    if place_id is not None and place_id not in places:
        raise MoveRefused("this place offers nothing tonight")
    st = load_state(pb, plan)
    i = parties[party_id]
    st.remove(i)
    if place_id is not None:
        j = places[place_id]
        _, action = best_option(st, i, threshold(pb, st), Work(), only=j)
        if action is None:
            if pb.reach[j] == CAR:
                raise MoveRefused("no driver can take them there in time")
            raise MoveRefused("they cannot get there in time")
        apply(st, i, action)
    out = write_plan(pb, st)
    out.summary = summarize(night, out, 0.0)
    doc = out.to_json()
    verdict = check_plan(night, doc)
    if not verdict.valid:
        raise MoveRefused(verdict.errors[0])
    return doc
