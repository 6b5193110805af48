"""Building a night and making it better: best insertion, then destroy-and-repair.

``insert`` puts one party where it costs the night least: first where it is wanted back
(``returning_to``), then where it does not push the last arrival later, then where no
driver is needed (a walk shelter, a self host, a seat left on a trip already going there),
and only then where the fewest extra kilometres and minutes are driven. ``construct``
inserts everyone in priority order: vulnerable people first, then those who slept outside
most often, larger parties before smaller (they are the hardest to fit).

``improve`` is a large-neighbourhood search: take a few parties (or a whole trip, or the
latest arrivals, or the guests around one place) out of a copy, put them and the unplaced
back in a shuffled priority order, and keep the copy when the night is no worse by the
format's order. Unplaced parties also get to evict guests from a place that accepts them,
which is how a family finds the big bed a single man was given early on.
"""
from __future__ import annotations

import random

from .problem import CAR, EPS, SELF, WALK, Problem
from .routes import time_from
from .state import State

NEAR_CAR_PLACES = 8  # car places without a stop yet that an insertion considers (closest first)


class Work:
    """Counted work (re-timings of a schedule): the deterministic clock of the search."""

    __slots__ = ("done",)

    def __init__(self):
        self.done = 0


def priority(pb: Problem, i: int, noise: float = 0.0) -> tuple:
    return (not pb.vulnerable[i], -(pb.rotation[i] / pb.size[i] + noise), -pb.size[i], pb.wait[i], i)


def threshold(pb: Problem, st: State) -> float:
    """Arrivals up to this moment cost nothing: the last arrival cannot be earlier anyway."""
    return max(st.last_arrival(), st.floor)


def best_option(st: State, i: int, thr: float, work: Work, only: int | None = None):
    """The cheapest way to place party ``i`` now, as ``(key, action)``; ``(None, None)`` if none.

    With ``only``, the party goes to that place or nowhere, full or not (fixed placements).
    """
    pb = st.pb
    w, size, ret = pb.wait[i], pb.size[i], pb.returning[i]
    best_key, best = None, None
    car = []
    for j in pb.compat[i] if only is None else (only,):
        if only is None and not st.fits(i, j):
            continue
        reach = pb.reach[j]
        miss = 0 if j == ret else 1
        spare = pb.beds[j] - st.used[j] - size
        if reach == WALK:
            a = w + pb.walk[j]
            key = (miss, max(0.0, a - thr), 0, spare)
        elif reach == SELF:
            a = max(st.leave[j], w) + pb.self_ride[j]
            if a > pb.latest[j] + EPS:
                continue
            key = (miss, max(0.0, a - thr), 0, spare)
        else:
            car.append(j)
            continue
        if best_key is None or key < best_key:
            best_key, best = key, ("put", j)
    if not car:
        return best_key, best
    # car places: those with a stop already, the nearest others, and the returning one
    visited = st.visited
    others = [j for j in car if not visited[j]]
    if len(others) > NEAR_CAR_PLACES:
        others.sort(key=pb.K[0].__getitem__)  # location j + 1: closest to the meeting point
        keep = set(others[:NEAR_CAR_PLACES])
        car = [j for j in car if visited[j] or j in keep or j == ret]
    T, K, seats, spk = pb.T, pb.K, pb.seats, pb.sec_per_km
    for j in car:
        miss = 0 if j == ret else 1
        spare = pb.beds[j] - st.used[j] - size
        loc = j + 1
        if best_key is not None and best_key[0] < miss:
            continue
        for d in range(len(seats)):
            if seats[d] < size or st.late[d]:
                continue
            sched, pref, routes = st.sched[d], st.pref[d], st.routes[d]
            km0, end0, last0 = st.dkm[d], st.dend[d], st.dlast[d]
            n = len(sched)
            for k in range(n):
                tw, stops = sched[k]
                if routes[k].load + size > seats[d]:
                    continue
                if j in stops:
                    pos = stops.index(j)
                    if w <= tw:
                        key = (miss, 0.0, 0, spare)
                        if best_key is None or key < best_key:
                            best_key, best = key, ("carry", j, d, k, pos, "join")
                        continue
                    if best_key is not None and (miss, 0.0, 1, 0.0) >= best_key:
                        continue
                    trial = sched[:k] + [(w, stops)] + sched[k + 1:]
                    mode = "join"
                    cands = [(pos, trial)]
                else:
                    cands = []
                    nw = tw if tw > w else w
                    for pos in range(len(stops) + 1):
                        a = stops[pos - 1] + 1 if pos else 0
                        b = stops[pos] + 1 if pos < len(stops) else 0
                        bound = (K[a][loc] + K[loc][b] - K[a][b]) * spk if (b or k < n - 1) else 0.0
                        if best_key is not None and (miss, 0.0, 1, bound) >= best_key:
                            continue
                        cands.append((pos, sched[:k] + [(nw, stops[:pos] + [j] + stops[pos:])] + sched[k + 1:]))
                    mode = "stop"
                for pos, trial in cands:
                    work.done += 1
                    res = time_from(pb, d, trial, k, *pref[k])
                    if res is None:
                        continue
                    km, last, end = res
                    key = (miss, max(0.0, last - thr), 1, (km - km0) * spk + 0.5 * (end - end0))
                    if best_key is None or key < best_key:
                        best_key, best = key, ("carry", j, d, k, pos, mode)
            for k in range(n + 1):
                bound = (K[0][loc] * 2 if k < n else K[0][loc]) * spk
                if best_key is not None and (miss, 0.0, 1, bound) >= best_key:
                    continue
                work.done += 1
                trial = sched[:k] + [(w, [j])] + sched[k:]
                res = time_from(pb, d, trial, k, *pref[k])
                if res is None:
                    continue
                km, last, end = res
                key = (miss, max(0.0, last - thr), 1, (km - km0) * spk + 0.5 * (end - end0))
                if best_key is None or key < best_key:
                    best_key, best = key, ("carry", j, d, k, 0, "trip")
    return best_key, best


def apply(st: State, i: int, action) -> None:
    if action[0] == "put":
        st.put(i, action[1])
    else:
        _, j, d, k, pos, mode = action
        st.carry(i, j, d, k, pos, mode)


def insert(st: State, i: int, work: Work) -> bool:
    key, action = best_option(st, i, threshold(st.pb, st), work)
    if action is None:
        return False
    apply(st, i, action)
    return True


def place_fixed(st: State, work: Work) -> None:
    """Put every announced placement in first, whatever it costs.

    A fixed party goes to its place even when the place refuses it or is full: the
    announcement stands, and a checker will name the broken rule rather than the planner
    silently breaking a promise. A fixed party at a car place rides with the cheapest
    driver who can take it in time; if none can, it gets a trip of its own with the driver
    free first (that trip is late, and the driver then takes nobody else); with no driver at
    all it stays placed without a ride.
    """
    pb = st.pb
    for i in sorted(pb.fixed):
        j = pb.fixed[i]
        if pb.reach[j] != CAR:
            st.put(i, j)
            continue
        _, action = best_option(st, i, threshold(pb, st), work, only=j)
        if action is not None:
            apply(st, i, action)
            continue
        drivers = sorted(range(len(pb.seats)), key=lambda d: (pb.seats[d] < pb.size[i], st.dend[d], d))
        if drivers:
            d = drivers[0]
            st.carry(i, j, d, len(st.routes[d]), 0, "trip")
        else:
            st.put(i, j)


def construct(st: State, work: Work) -> None:
    pb = st.pb
    place_fixed(st, work)
    for i in sorted(range(pb.n), key=lambda i: priority(pb, i)):
        if st.place[i] < 0 and i not in pb.fixed and pb.compat[i]:
            insert(st, i, work)


# -- improvement ---------------------------------------------------------------------------

def _movable(st: State, parties) -> list[int]:
    fixed = st.pb.fixed
    return [i for i in parties if st.place[i] >= 0 and i not in fixed]


def destroy_random(st: State, rng: random.Random, k: int) -> list[int]:
    placed = _movable(st, range(st.pb.n))
    return rng.sample(placed, min(k, len(placed)))


def destroy_trip(st: State, rng: random.Random, k: int) -> list[int]:
    """All guests of one trip (or two), so that the trip can be rebuilt in a better order."""
    trips = [t for r in st.routes for t in r]
    if not trips:
        return destroy_random(st, rng, k)
    out = []
    for t in rng.sample(trips, min(len(trips), 1 + (k > 6))):
        out += [i for _, g in t.stops for i in g]
    return _movable(st, out)


def destroy_late(st: State, rng: random.Random, k: int) -> list[int]:
    """The parties who arrive last, and the guests who travel with them."""
    pb = st.pb
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
    return out


def destroy_area(st: State, rng: random.Random, k: int) -> list[int]:
    """The guests of the places nearest one place: rebuilt together, they share cars."""
    pb = st.pb
    placed = _movable(st, range(pb.n))
    if not placed:
        return []
    j0 = st.place[rng.choice(placed)]
    row = pb.K[j0 + 1]
    near = sorted((j for j in range(len(pb.places)) if st.guests[j]), key=lambda j: row[j + 1])
    out = []
    for j in near:
        out += st.guests[j]
        if len(out) >= k:
            break
    return _movable(st, out)


def destroy_for_unplaced(st: State, rng: random.Random, k: int) -> list[int]:
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
    st.first = u
    return out


DESTROYS = (destroy_random, destroy_trip, destroy_late, destroy_area, destroy_for_unplaced)


def repair(st: State, parties: list[int], rng: random.Random, work: Work) -> None:
    pb = st.pb
    first = getattr(st, "first", None)
    st.first = None
    noise = rng.random() * 2.0
    order = sorted(set(parties), key=lambda i: priority(pb, i, rng.random() * noise))
    if first is not None and first in order:
        order.remove(first)
        order.insert(0, first)
    for i in order:
        if st.place[i] < 0:
            insert(st, i, work)


def improve(st: State, rng: random.Random, stop, work: Work) -> State:
    """Destroy and repair until ``stop(work)`` says so; returns the best state found."""
    pb = st.pb
    best = st
    best_score = st.score()
    cur, cur_score = best, best_score
    it = 0
    while not stop(work):
        it += 1
        cand = cur.copy()
        k = 1 + int(rng.random() ** 2 * min(30, max(2, pb.n // 8)))
        op = DESTROYS[rng.randrange(len(DESTROYS))]
        removed = op(cand, rng, k)
        for i in removed:
            cand.remove(i)
        unplaced = [i for i in range(pb.n) if cand.place[i] < 0 and pb.compat[i] and i not in removed]
        if len(unplaced) > 2 * k:
            unplaced = rng.sample(unplaced, 2 * k)
        repair(cand, removed + unplaced, rng, work)
        work.done += 1
        sc = cand.score()
        if sc <= cur_score:
            cur, cur_score = cand, sc
            if sc < best_score:
                best, best_score = cand, sc
    return best
