"""Making a night better: a large-neighbourhood search (destroy and repair).

Each step takes a few parties out of a copy of the night (at random, a whole trip, the
latest arrivals, the guests around one place, the bed an unplaced party could use, the host
a returning guest is owed, ...), puts them and some unplaced parties back by ``best_option``
in a shuffled priority order, and keeps the copy when the night is no worse by the format's
order (kilometres may grow a little early on, so that the search can move between equally
good nights). Unplaced parties also get to evict guests from a place that accepts them,
which is how a family finds the big bed a single man was given early on.
"""
from __future__ import annotations

import logging
import random

from .insert import Work, insert, insert_fixed, priority
from .problem import CAR, SELF
from .state import State

log = logging.getLogger(__name__)

MAX_DESTROY = 16  # parties taken out at most in one step (usually far fewer)
DRIFT = 0.02  # share of the driven kilometres a step may add early in the search
STALL = 2000  # steps without a better night after which the search gives up
UNPLACED_RETRIED = 4
SHAKEN = 0.3  # share of repairs whose insertions blur the driving costs (``best_option``)...
SHAKEN_UP_TO = 150  # ...on nights of at most this many parties, where one car more or less decides  # unplaced parties offered the room a step makes (besides those taken out)


def _movable(st: State, parties) -> list[int]:
    """Parties the search may take out: all placed ones but the fixed, whose ride may change."""
    pb = st.pb
    fixed, reach, rides = pb.fixed, pb.reach, bool(pb.seats)
    return [i for i in parties if st.place[i] >= 0 and (i not in fixed or (rides and reach[fixed[i]] == CAR))]


def destroy_random(st: State, rng: random.Random, k: int) -> tuple[list[int], int | None]:
    placed = _movable(st, range(st.pb.n))
    return rng.sample(placed, min(k, len(placed))), None


def destroy_trip(st: State, rng: random.Random, k: int) -> tuple[list[int], int | None]:
    """All guests of one trip (or two), so that the trip can be rebuilt in a better order."""
    trips = [t for r in st.routes for t in r]
    if not trips:
        return destroy_random(st, rng, k)
    out = []
    for t in rng.sample(trips, min(len(trips), 1 + (k > 6))):
        out += [i for _, g in t.stops for i in g]
    return _movable(st, out), None


def destroy_late(st: State, rng: random.Random, k: int) -> tuple[list[int], int | None]:
    """The parties who arrive last, and the guests who travel with them.

    A driver whose schedule breaks a deadline (a fixed placement can force that) comes
    first: all of that driver's guests are taken out.
    """
    pb = st.pb
    late = [d for d in range(len(st.routes)) if st.late[d]]
    if late:
        d = rng.choice(late)
        return _movable(st, [i for t in st.routes[d] for _, g in t.stops for i in g]), None
    last = st.last_arrival()
    out = []
    for d, r in enumerate(st.routes):
        if r and st.dlast[d] >= last - 1800:
            out += [i for t in r[-2:] for _, g in t.stops for i in g]
    for j, a in enumerate(st.plast):
        if a >= last - 1800 and pb.reach[j] == SELF:
            out += st.guests[j]
    out = _movable(st, set(out))
    out.sort()
    if len(out) > 2 * k:
        out = rng.sample(out, 2 * k)
    return out, None


def destroy_area(st: State, rng: random.Random, k: int) -> tuple[list[int], int | None]:
    """The guests of the places nearest one place: rebuilt together, they share cars."""
    pb = st.pb
    placed = _movable(st, range(pb.n))
    if not placed:
        return [], None
    j0 = st.place[rng.choice(placed)]
    row = pb.K[j0 + 1]
    near = sorted((j for j in range(len(pb.places)) if st.guests[j]), key=lambda j: row[j + 1])
    out = []
    for j in near:
        out += st.guests[j]
        if len(out) >= k:
            break
    return _movable(st, out), None


def destroy_for_unplaced(st: State, rng: random.Random, k: int) -> tuple[list[int], int | None]:
    """Make room for one unplaced party: empty a place that would accept it."""
    pb = st.pb
    waiting = [i for i in range(pb.n) if st.place[i] < 0 and pb.compat[i]]
    if not waiting:
        return destroy_random(st, rng, k)
    waiting.sort(key=lambda i: priority(pb, i))
    u = waiting[min(len(waiting) - 1, int(rng.random() ** 3 * len(waiting)))]
    j = rng.choice(pb.compat[u])
    out = _movable(st, st.guests[j])
    if len(out) > k:
        out = rng.sample(out, k)
    out.append(u)
    return out, u


def destroy_chain(st: State, rng: random.Random, k: int) -> tuple[list[int], int | None]:
    """Move one guest to a free bed that the unplaced cannot use, and give theirs to an unplaced.

    The free beds left at the end of a night are often ones the waiting cannot take (a
    language, a host for families): a guest who can take them makes room where the
    unplaced party is accepted. Found directly, since a random search rarely hits it.
    """
    pb = st.pb
    waiting = [i for i in range(pb.n) if st.place[i] < 0 and pb.compat[i]]
    if not waiting:
        return destroy_random(st, rng, k)
    waiting.sort(key=lambda i: priority(pb, i))
    u = waiting[min(len(waiting) - 1, int(rng.random() ** 2 * len(waiting)))]
    places = list(pb.compat[u])
    if len(places) > 24:
        places = rng.sample(places, 24)
    moves = []
    for j in places:
        kinds = st.kinds[j]
        for g in st.guests[j]:
            if g in pb.fixed or st.used[j] - pb.size[g] + pb.size[u] > pb.beds[j]:
                continue
            if pb.is_host[j] and kinds[1 - pb.kind[u]] - (pb.kind[g] != pb.kind[u]) > 0:
                continue
            if any(j2 != j and st.fits(g, j2) for j2 in pb.compat[g]):
                moves.append(g)
    if not moves:
        return destroy_for_unplaced(st, rng, k)
    return [rng.choice(moves), u], u


def destroy_swap(st: State, rng: random.Random, k: int) -> tuple[list[int], int | None]:
    """Give an unplaced party the bed of a guest who comes after them in priority order.

    When beds are short, who gets them is fair rotation's question: the one who slept
    outside more should have the bed, if it accepts them.
    """
    pb = st.pb
    waiting = [i for i in range(pb.n) if st.place[i] < 0 and pb.compat[i] and i not in pb.fixed]
    if not waiting:
        return destroy_random(st, rng, k)
    waiting.sort(key=lambda i: priority(pb, i))
    u = waiting[min(len(waiting) - 1, int(rng.random() ** 2 * len(waiting)))]
    mine = priority(pb, u)
    worse = []
    for j in pb.compat[u]:
        kinds = st.kinds[j]
        for g in st.guests[j]:
            if g in pb.fixed or priority(pb, g) <= mine or st.used[j] - pb.size[g] + pb.size[u] > pb.beds[j]:
                continue
            if pb.is_host[j] and kinds[1 - pb.kind[u]] - (pb.kind[g] != pb.kind[u]) > 0:
                continue
            worse.append(g)
    if not worse:
        return destroy_for_unplaced(st, rng, k)
    worse.sort(key=lambda g: priority(pb, g), reverse=True)
    return [worse[min(len(worse) - 1, int(rng.random() ** 2 * len(worse)))], u], u


def destroy_for_returning(st: State, rng: random.Random, k: int) -> tuple[list[int], int | None]:
    """Send a returning guest back: empty the host that wants them back, and move them."""
    pb = st.pb
    away = [i for i in range(pb.n) if pb.returning[i] >= 0 and st.place[i] != pb.returning[i]
            and pb.returning[i] in pb.compat[i] and i not in pb.fixed]
    if not away:
        return destroy_for_unplaced(st, rng, k)
    u = rng.choice(away)
    out = _movable(st, st.guests[pb.returning[u]])
    if len(out) > k:
        out = rng.sample(out, k)
    out.append(u)
    return out, u


# Each move returns the parties to take out, and the one they make room for (or None).
DESTROYS = (destroy_random, destroy_trip, destroy_late, destroy_area, destroy_for_unplaced, destroy_chain,
            destroy_swap, destroy_for_returning)


def repair(st: State, parties: list[int], rng: random.Random, work: Work, waiting=(), first=None) -> None:
    """Put ``parties`` and the ``waiting`` (unplaced) back, fixed ones first, in a noisy
    priority order; half of the time the waiting go first, so that they get a chance at the
    room the step made before those taken out fill it again. ``first`` (the party a step made
    room for) goes before all but the fixed."""
    pb = st.pb
    noise = rng.random() * 2.0
    shake = rng if pb.n <= SHAKEN_UP_TO and rng.random() < SHAKEN else None
    ahead = set(waiting) if rng.random() < 0.5 else set()
    order = sorted(set(parties) | set(waiting),
                   key=lambda i: (i not in pb.fixed, i not in ahead, priority(pb, i, rng.random() * noise)))
    if first is not None and first in order:
        order.remove(first)
        order.insert(sum(i in pb.fixed for i in order), first)
    for i in order:
        if st.place[i] < 0:
            if i in pb.fixed:
                insert_fixed(st, i, work)
            else:
                insert(st, i, work, shake=shake)


def improve(st: State, rng: random.Random, stop, work: Work) -> State:
    """Destroy and repair until ``stop(work)`` says so, or until ``STALL`` steps in a row
    found nothing better (small nights are done long before their time); returns the best
    state found."""
    pb = st.pb
    best = st
    best_score = st.score()
    cur, cur_score = best, best_score
    it = since_best = 0
    while not stop(work) and since_best < STALL:
        it += 1
        since_best += 1
        cand = cur.copy()
        k = 1 + int(rng.random() ** 2 * min(MAX_DESTROY, max(8, pb.n // 8)))
        op = DESTROYS[rng.randrange(len(DESTROYS))]
        if cur_score[0] and rng.random() < 0.5:
            op = destroy_late  # a late driver: a broken rule to mend first
        removed, first = op(cand, rng, k)
        for i in removed:
            cand.remove(i)
        gone = set(removed)
        unplaced = [i for i in range(pb.n) if cand.place[i] < 0 and pb.compat[i] and i not in gone]
        if len(unplaced) > UNPLACED_RETRIED:
            unplaced = rng.sample(unplaced, UNPLACED_RETRIED)
        repair(cand, removed, rng, work, unplaced, first)
        work.done += 30 + pb.n // 16  # copying the state, destroying, scoring
        sc = cand.score()
        # Who is sheltered where must never get worse; kilometres may, a little and less
        # and less as time runs out, so that the search can walk between equally good nights.
        if sc <= cur_score or (sc[:6] == cur_score[:6] and sc[6] <= cur_score[6] * (1 + DRIFT * (1 - stop.progress(work)))):
            cur, cur_score = cand, sc
            if sc < best_score:
                best, best_score = cand, sc
                since_best = 0
    log.debug("%d destroy-and-repair iterations", it)
    return best
