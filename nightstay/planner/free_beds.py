"""Freeing a bed for a vulnerable party left outside: the men or the smaller parties who hold it move.

The typical night: single men, placed early (vulnerable, or first in line), hold the beds of
a host who takes families, while the dormitory, which takes only men, still has room; a
family or a woman alone is then left outside, since a host never takes single men and women
or families together. Moving a party or two at random rarely finds the way out; this move
looks for it: for a vulnerable party left outside, the place that accepts it where the fewest
guests stand in the way (men where it is a woman or a family, or anyone where beds are
short), each of whom can sleep elsewhere, so that no vulnerable person is put out for it.

``free_beds`` plays it on the first plan for every vulnerable party left outside, keeping each
move that makes the night better by the format's order. ``destroy_for_vulnerable`` is the same
move as a destroy step (``search.DESTROYS``'s signature), for a search that weighs its
operators by their success: in the uniform draw it would only shift every other move's turn.
"""
from __future__ import annotations

import logging
import random

from .insert import Work, best_option, apply, insert, priority, threshold
from .state import State

log = logging.getLogger(__name__)


def _waiting(st: State) -> list[int]:
    pb = st.pb
    return [i for i in range(pb.n) if pb.vulnerable[i] and st.place[i] < 0 and pb.compat[i] and i not in pb.fixed]


def _elsewhere(st: State, g: int, j: int) -> bool:
    """Could ``g`` sleep somewhere other than ``j`` tonight, as the night stands?"""
    return any(j2 != j and st.fits(g, j2) for j2 in st.pb.compat[g])


def room_for(st: State, u: int, rng: random.Random | None = None) -> tuple[int, list[int]] | None:
    """(place, guests to move) that make room for ``u`` with the fewest moves, or None."""
    pb = st.pb
    best = None
    for j in pb.compat[u]:
        if pb.size[u] > pb.beds[j]:
            continue
        guests = [g for g in st.guests[j]]
        if any(g in pb.fixed for g in guests if pb.is_host[j] and pb.kind[g] != pb.kind[u]):
            continue
        out = [g for g in guests if pb.is_host[j] and pb.kind[g] != pb.kind[u]]
        free = pb.beds[j] - st.used[j] + sum(pb.size[g] for g in out)
        # beds still short: the guests who come last in the format's order move, largest first
        rest = sorted((g for g in guests if g not in out and g not in pb.fixed),
                      key=lambda g: (not pb.vulnerable[g], priority(pb, g)), reverse=True)
        while free < pb.size[u] and rest:
            g = rest.pop(0)
            out.append(g)
            free += pb.size[g]
        if free < pb.size[u] or not out:
            continue
        if any((pb.vulnerable[g] or not pb.vulnerable[u]) and not _elsewhere(st, g, j) for g in out):
            continue  # a guest who counts as much would be put out: no gain
        key = (len(out), rng.random() if rng else 0.0, j)
        if best is None or key < best[0]:
            best = (key, j, out)
    return None if best is None else (best[1], best[2])


def destroy_for_vulnerable(st: State, rng: random.Random, k: int) -> tuple[list[int], int | None]:
    """A destroy step: the guests standing between a vulnerable party left outside and a bed."""
    waiting = _waiting(st)
    if not waiting:
        return [], None
    u = rng.choice(waiting)
    found = room_for(st, u, rng)
    if found is None:
        return [], None
    return [*found[1], u], u


def free_beds(st: State, work: Work, stop) -> State:
    """Every vulnerable party left outside, in the format's order, gets the move if it helps."""
    pb = st.pb
    for u in sorted(_waiting(st), key=lambda i: priority(pb, i)):
        if stop(work) or st.place[u] >= 0:
            continue
        st = _try(st, u, work)
    return st


def free_beds_for_all(st: State, work: Work, stop) -> State:
    """The same move for the parties left outside who are not vulnerable, in the format's order.

    Only where beds are short (fewer than the people some place takes): there, a family or a
    woman placed early at a host that also takes men holds beds the men waiting could use, while
    a host for women and families only stays empty; each such move is one more person sheltered, which the search finds only by chance (a 800-person
    night of seed 100 needed ten times its two seconds). Every move moves only guests who fit
    elsewhere. Parties alike (size, men or women and families, the places that take them) get the
    move once until one of them gains: a night of seventy men left outside pays a few trials.
    """
    pb = st.pb
    if sum(pb.beds) >= sum(pb.size[i] for i in range(pb.n) if pb.compat[i]):
        return st  # beds for everyone: who is left outside is the cars' shortfall, not the beds'
    before, tried, start, spent = st.people, 0, st, work.done
    failed: set[tuple] = set()
    for u in sorted((i for i in st.waiting if not pb.vulnerable[i] and i not in pb.fixed),
                    key=lambda i: priority(pb, i)):
        if stop(work):
            break
        alike = (pb.size[u], pb.kind[u], tuple(pb.compat[u]))
        if st.place[u] >= 0 or alike in failed:
            continue
        if any(st.fits(u, j) for j in pb.compat[u]) and insert(st, u, work):
            continue  # a bed a move freed (or a ride the first plan missed): one more, no move needed
        better = _try(st, u, work, announced=False)
        tried += 1
        if better is st:
            failed.add(alike)
        else:
            st, failed = better, set()
    if st is not start and not st.score() < start.score():
        st = start  # moves that only changed announced placements (see ``_try``): not worth it
    log.debug("beds freed for the others: %d people more, %d tried", st.people - before, tried)
    if st is start and st.people == before:  # nothing gained: the search gets the work back, and plans as it would have
        work.done = spent
    return st


def _try(st: State, u: int, work: Work, announced: bool = True) -> State:
    """``st`` with room made for ``u`` if that makes the night better, else ``st`` itself.

    Without ``announced``, a night planned again is compared as if nothing had been announced:
    a move that shelters no more but leaves room (fewer kilometres, an earlier arrival) is kept
    though it changes announced placements, since the moves after it may shelter more (far-hosts,
    seed 101 at 150 people, a fifth of the hosts cancelled: four more people, as unannounced).
    The caller keeps the result only if it ranks better with the changes counted."""
    pb = st.pb
    found = room_for(st, u)
    if found is None:
        return st
    j, out = found
    trial = st.copy()
    for g in out:
        trial.remove(g)
    _, action = best_option(trial, u, threshold(pb, trial), work, among=(j,))
    if action is None:
        return st
    apply(trial, u, action)
    for g in sorted(out, key=lambda g: priority(pb, g)):
        insert(trial, g, work)
    work.done += 30 + pb.n // 16
    return trial if trial.score(announced) < st.score(announced) else st
