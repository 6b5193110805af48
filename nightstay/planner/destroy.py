"""Destroy operators: which parties a search step takes out of the night to place again.

Each takes the state, a ``random.Random`` and a size ``k``, and returns the parties to take
out and the one they make room for (or None). They change nothing themselves. Each costs
about what it returns, not the size of the night: on a city's night a step looks at a few
places and a few parties, never at all of them.
"""
from __future__ import annotations

import random

from .insert import priority
from .problem import CAR, SELF
from .state import State

SAMPLED_PLACES = 24  # places looked at when looking for a bed to free
SAMPLED_GUESTS = 24  # guests looked at per place


def _movable(st: State, parties) -> list[int]:
    """Parties the search may take out: all placed ones but the fixed, whose ride may change."""
    pb = st.pb
    fixed, reach, rides = pb.fixed, pb.reach, bool(pb.seats)
    return [i for i in parties if st.place[i] >= 0 and (i not in fixed or (rides and reach[fixed[i]] == CAR))]


def _random_placed(st: State, rng: random.Random, k: int) -> list[int]:
    """Up to ``k`` distinct movable placed parties, drawn at random (by rejection: cheap on a
    big night; a night with few placed parties is sampled from the list of them)."""
    pb = st.pb
    out: set[int] = set()
    for _ in range(8 * k + 8):
        i = rng.randrange(pb.n) if pb.n else 0
        if pb.n and st.place[i] >= 0 and _movable(st, (i,)):
            out.add(i)
            if len(out) >= k:
                return sorted(out)
    placed = _movable(st, range(pb.n))
    return rng.sample(placed, min(k, len(placed)))


def _waiting(st: State, rng: random.Random, power: int, free_only: bool = False) -> int | None:
    """An unplaced party that some place takes, the most urgent ones more likely."""
    pb = st.pb
    waiting = [i for i in st.waiting if not (free_only and i in pb.fixed)]
    if not waiting:
        return None
    waiting.sort(key=lambda i: priority(pb, i))
    return waiting[min(len(waiting) - 1, int(rng.random() ** power * len(waiting)))]


def _some(rng: random.Random, items, k: int) -> list:
    items = list(items)
    return items if len(items) <= k else rng.sample(items, k)


def destroy_random(st: State, rng: random.Random, k: int) -> tuple[list[int], int | None]:
    return _random_placed(st, rng, k), None


def destroy_trip(st: State, rng: random.Random, k: int) -> tuple[list[int], int | None]:
    """All guests of one trip (or two), so that the trip can be rebuilt in a better order."""
    driving = [d for d in range(len(st.routes)) if st.routes[d]] if len(st.routes) < 64 else None
    out = []
    for _ in range(1 + (k > 6)):
        if driving is not None:
            if not driving:
                break
            d = rng.choice(driving)
        else:
            d = rng.randrange(len(st.routes))
            for _ in range(32):
                if st.routes[d]:
                    break
                d = rng.randrange(len(st.routes))
        if st.routes[d]:
            t = rng.choice(st.routes[d])
            out += [i for _, g in t.stops for i in g]
    if not out:
        return destroy_random(st, rng, k)
    return _movable(st, out), None


def destroy_late(st: State, rng: random.Random, k: int) -> tuple[list[int], int | None]:
    """The parties who arrive last, and the guests who travel with them.

    A driver whose schedule breaks a deadline (a fixed placement can force that) comes
    first: all of that driver's guests are taken out.
    """
    pb = st.pb
    if st.n_late:
        d = rng.choice([d for d in range(len(st.routes)) if st.late[d]])
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
    placed = _random_placed(st, rng, 1)
    if not placed:
        return [], None
    out = []
    for j in pb.around[st.place[placed[0]]]:
        out += _some(rng, st.guests[j], k)
        if len(out) >= k:
            break
    return _movable(st, out), None


def destroy_for_unplaced(st: State, rng: random.Random, k: int) -> tuple[list[int], int | None]:
    """Make room for one unplaced party: empty a place that would accept it."""
    pb = st.pb
    u = _waiting(st, rng, 3)
    if u is None:
        return destroy_random(st, rng, k)
    j = rng.choice(pb.compat[u])
    out = _movable(st, _some(rng, st.guests[j], 4 * k))
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
    u = _waiting(st, rng, 2)
    if u is None:
        return destroy_random(st, rng, k)
    moves = []
    for j in _some(rng, pb.compat[u], SAMPLED_PLACES):
        kinds = st.kinds[j]
        for g in _some(rng, st.guests[j], SAMPLED_GUESTS):
            if g in pb.fixed or st.used[j] - pb.size[g] + pb.size[u] > pb.beds[j]:
                continue
            if pb.is_host[j] and kinds[1 - pb.kind[u]] - (pb.kind[g] != pb.kind[u]) > 0:
                continue
            if any(j2 != j and st.fits(g, j2) for j2 in pb.compat[g][:4 * SAMPLED_PLACES]):
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
    u = _waiting(st, rng, 2, free_only=True)
    if u is None:
        return destroy_random(st, rng, k)
    mine = priority(pb, u)
    worse = []
    places = pb.compat[u] if len(pb.compat[u]) <= 4 * SAMPLED_PLACES else _some(rng, pb.compat[u], SAMPLED_PLACES)
    for j in places:
        kinds = st.kinds[j]
        for g in _some(rng, st.guests[j], SAMPLED_GUESTS):
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
    away = [i for i in pb.returners if st.place[i] != pb.returning[i]]
    if not away:
        return destroy_for_unplaced(st, rng, k)
    u = rng.choice(away)
    out = _movable(st, _some(rng, st.guests[pb.returning[u]], 4 * k))
    if len(out) > k:
        out = rng.sample(out, k)
    out.append(u)
    return out, u


# Each move returns the parties to take out, and the one they make room for (or None).
DESTROYS = (destroy_random, destroy_trip, destroy_late, destroy_area, destroy_for_unplaced, destroy_chain,
            destroy_swap, destroy_for_returning)
