"""Repair operators: putting the parties a step took out (and some waiting ones) back.

Two ways, chosen by the search's roulette wheel as they earn it:

- ``repair_greedy`` inserts one by one in a noisy priority order, each where
  ``best_option`` says; half of the time the waiting go first, so that they get a chance at
  the room the step made before those taken out fill it again.
- ``repair_regret`` (regret insertion, after Ropke and Pisinger): among parties of equal
  rank (vulnerable, then by nights outside), the one that would lose most if it had to take
  its second-best place goes first; a party with one way in goes before one with many. A
  family that fits in one bed only gets it before a man who could sleep anywhere.

Parties fixed by the coordinators go back first, to their place, by ``insert_fixed``; the
party a step made room for (``first``) goes next.
"""
from __future__ import annotations

import random

from .insert import INF, Work, apply, best_option, insert, insert_fixed, priority, scalar, threshold
from .state import State

REGRET_AT_MOST = 24  # parties at most compared by regret in one step (others go in by priority)
SHAKEN = 0.3  # share of greedy repairs whose insertions blur the driving costs (``best_option``)...
SHAKEN_UP_TO = 150  # ...on nights of at most this many parties, where one car more or less decides


def _ordered(st: State, parties, rng: random.Random, waiting, first) -> list[int]:
    pb = st.pb
    noise = rng.random() * 2.0
    ahead = set(waiting) if rng.random() < 0.5 else set()
    order = sorted(set(parties) | set(waiting),
                   key=lambda i: (i not in pb.fixed, i not in ahead, priority(pb, i, rng.random() * noise)))
    if first is not None and first in order:
        order.remove(first)
        order.insert(sum(i in pb.fixed for i in order), first)
    return order


def repair_greedy(st: State, parties: list[int], rng: random.Random, work: Work, waiting=(), first=None) -> None:
    """Everyone back in a noisy priority order, each where it costs least now."""
    pb = st.pb
    shake = rng if pb.n <= SHAKEN_UP_TO and rng.random() < SHAKEN else None
    for i in _ordered(st, parties, rng, waiting, first):
        if st.place[i] < 0:
            if i in pb.fixed:
                insert_fixed(st, i, work)
            else:
                insert(st, i, work, shake=shake)


def _rank(pb, i: int) -> tuple:
    """Parties of one rank compete by regret; a higher rank always goes first."""
    return (not pb.vulnerable[i], -(pb.rotation[i] // pb.size[i]))


def repair_regret(st: State, parties: list[int], rng: random.Random, work: Work, waiting=(), first=None) -> None:
    """Regret insertion within each rank; see the module doc."""
    pb = st.pb
    order = _ordered(st, parties, rng, waiting, first)
    head = [i for i in order if i in pb.fixed or i == first]
    for i in head:
        if st.place[i] < 0:
            if i in pb.fixed:
                insert_fixed(st, i, work)
            else:
                insert(st, i, work)
    rest = [i for i in order if i not in pb.fixed and i != first and st.place[i] < 0]
    group, tail = rest[:REGRET_AT_MOST], rest[REGRET_AT_MOST:]
    ranks: dict[tuple, list[int]] = {}
    for i in group:
        ranks.setdefault(_rank(pb, i), []).append(i)
    for rank in sorted(ranks):
        _regret_rank(st, ranks[rank], work)
    for i in tail:
        if st.place[i] < 0:
            insert(st, i, work)


def _regret_rank(st: State, pending: list[int], work: Work) -> None:
    """Insert ``pending`` (one rank) largest regret first, re-costing only what an insertion
    touched: parties whose best way in used the same driver or the same place. (Nothing a
    repair does frees a bed or a seat, so a party with no way in is done with.)"""
    pb = st.pb
    cache: dict[int, tuple] = {}
    pending = list(pending)
    while pending:
        thr = threshold(pb, st)
        best_i, best_val = None, None
        for i in list(pending):
            got = cache.get(i)
            if got is None:
                key, action, second = best_option(st, i, thr, work, regret=True)
                if action is None:
                    pending.remove(i)
                    continue
                own = scalar(key)
                got = cache[i] = (action, -(second - own) if second < INF else -INF, own)
            val = (got[1], got[2], priority(pb, i))
            if best_val is None or val < best_val:
                best_i, best_val = i, val
        if best_i is None:
            return
        action = cache.pop(best_i)[0]
        pending.remove(best_i)
        apply(st, best_i, action)
        j, d = action[1], action[2] if action[0] == "carry" else -1
        for i in list(cache):
            a = cache[i][0]
            if a[1] == j or (d >= 0 and a[0] == "carry" and a[2] == d):
                del cache[i]
