"""Fixed placements no plan can keep: keep what can be kept, and say why the rest cannot be.

A coordinator pins a party to a place; later the host says "two beds, not three", or a
woman is pinned where men were pinned before, or no driver can reach the place before its
latest arrival. Refusing the whole night would leave everyone outside for one broken
promise, and forcing the promise would send a driver on a trip that ends hours after their
time. So the planner keeps every fixed placement it can, in the order the format ranks
people (vulnerable people first, then the largest parties, then who slept outside most),
plans everything else around them, and names each placement it could not keep and why; the
plan's checker then calls it invalid (exit 1), which is what a coordinator must see.

A placement is kept when the place accepts the party, has the beds left after the placements
kept before it, does not mix single men with women or families at a host, and can be
reached in time: on foot before the window ends, with a ``self`` host before its latest
arrival, and by car when the rides of all kept placements fit the drivers' hours (tried
with the search's own insertion; a driver who would end late drops the least of its fixed
passengers, until none does).
"""
from __future__ import annotations

import copy

from .insert import Work, place_fixed
from .problem import CAR, EPS, SELF, WALK, Problem
from .state import State


def _order(pb: Problem, i: int) -> tuple:
    return (not pb.vulnerable[i], -pb.size[i], -pb.rotation[i], pb.wait[i], i)


def keepable(pb: Problem) -> tuple[dict[int, int], list[str]]:
    """(party -> place of the fixed placements a plan can keep, one line per placement it cannot)."""
    night = pb.night
    parties, places = night.parties, pb.places
    kept: dict[int, int] = {}
    why: dict[int, str] = {}
    used = [0] * len(pb.beds)
    kinds: list[set[int]] = [set() for _ in pb.beds]
    for i in sorted(pb.fixed, key=lambda i: _order(pb, i)):
        j = pb.fixed[i]
        place, name = places[j], f"{parties[i].id} -> {places[j].id}"
        refusal = place.refuses(parties[i])
        if refusal:
            why[i] = f"{name}: {place.id} {refusal}"
        elif used[j] + pb.size[i] > pb.beds[j]:
            why[i] = f"{name}: {pb.size[i]} more people for {pb.beds[j] - used[j]} beds left at {place.id}"
        elif pb.is_host[j] and kinds[j] - {pb.kind[i]}:
            why[i] = f"{name}: {place.id} already takes {'single men' if pb.kind[i] else 'women or families'}"
        elif not _in_time(pb, i, j):
            how = {WALK: "on foot", SELF: "with the host", CAR: "by any driver"}[pb.reach[j]]
            why[i] = f"{name}: {place.id} cannot be reached {how} in time"
        else:
            kept[i] = j
            used[j] += pb.size[i]
            kinds[j].add(pb.kind[i])
    _rides(pb, kept, why)
    return kept, [why[i] for i in sorted(why)]


def _in_time(pb: Problem, i: int, j: int) -> bool:
    """Can ``i`` alone reach ``j`` in time? (A self host's guests all arrive no later than the latest alone.)"""
    if pb.reach[j] == WALK:
        return pb.wait[i] + pb.walk[j] <= pb.latest[j] + EPS
    if pb.reach[j] == SELF:
        return max(pb.self_leave[j], pb.wait[i]) + pb.self_ride[j] <= pb.latest[j] + EPS
    return j in pb.compat[i]


def _rides(pb: Problem, kept: dict[int, int], why: dict[int, str]) -> None:
    """Drop fixed car placements, least first, until every driver's rides fit their hours."""
    while any(pb.reach[j] == CAR for j in kept.values()):
        probe_pb = copy.copy(pb)
        object.__setattr__(probe_pb, "fixed", dict(kept))  # the same night, with only these fixed
        st = State(probe_pb)
        place_fixed(st, Work())
        late = [i for d, r in enumerate(st.routes) if st.late[d] for t in r for _, g in t.stops for i in g]
        if not late:
            return
        i = max(late, key=lambda i: _order(pb, i))
        j = kept.pop(i)
        why[i] = (f"{pb.night.parties[i].id} -> {pb.places[j].id}: no driver has the time for this ride "
                  "besides the other fixed placements")
