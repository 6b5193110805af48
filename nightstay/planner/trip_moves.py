"""Route moves between trips, after PyVRP's local search: relocate, exchange and 2-opt*.

Destroy-and-repair moves parties; these moves rearrange the drivers' evenings with the same
people in the same beds. A stop (a place and the guests dropped there) is

- *relocated* into another trip (of the same driver or another), at any position, or merged
  with that trip's stop at the same place;
- *exchanged* with a stop of another trip;
- or two trips swap their tails after a stop (*2-opt\\**): ``A[:x] + B[y:]`` and ``B[:y] + A[x:]``.

Only trips that stop near the stop's place are tried (``Problem.near``: the granular
neighbourhood). A move is first judged by its kilometres, from the few legs it changes;
only one that drives less (or that concerns the drivers who bring the night's last guest
home) is timed, from the first trip it changes on (``routes.time_from`` with the drivers'
kept prefixes: a delta, never a copy of the night); the first move that improves is
applied. Better means: the last arrival earlier, or the same and less driving (kilometres,
plus half the minutes the drivers' evenings end later, as insertions count them). Seats,
deadlines and drivers' hours are never broken.
"""
from __future__ import annotations

from .insert import Work
from .problem import EPS
from .routes import time_driver, time_from
from .state import State, Trip

IMPROVEMENT = 1e-3  # seconds: a smaller gain is rounding


def _stops(st: State, d: int, k: int) -> list[tuple]:
    """Trip ``k`` of driver ``d`` as (place, guests, load, latest wait) per stop."""
    pb = st.pb
    return [(j, g, sum(pb.size[i] for i in g), max(pb.wait[i] for i in g)) for j, g in st.routes[d][k].stops]


def _km(K, stops) -> float:
    km, here = 0.0, 0
    for s in stops:
        km += K[here][s[0] + 1]
        here = s[0] + 1
    return km + K[here][0]


def _distinct(stops) -> bool:
    return len({s[0] for s in stops}) == len(stops)


def _neighbour_trips(st: State, j: int, d0: int, k0: int):
    """Trips of drivers on time that stop at a place near ``j`` (not trip ``k0`` of ``d0``)."""
    seen = set()
    for p in sorted(st.pb.near[j]):
        for d in sorted(st.stops_at[p]):
            if st.late[d]:
                continue
            for k, (_, stops) in enumerate(st.sched[d]):
                if p in stops and (d, k) != (d0, k0) and (d, k) not in seen:
                    seen.add((d, k))
                    yield d, k


def _moves(st: State, d: int, k: int, s: int):
    """Moves of stop ``s`` of trip ``k`` of driver ``d`` that keep every car within its seats,
    as ``(d2, k2, new a, new b, kilometres saved)``."""
    pb = st.pb
    K, seats = pb.K, pb.seats
    a = _stops(st, d, k)
    j, moved = a[s][0], a[s][2]
    load_a = sum(x[2] for x in a)
    km_a = _km(K, a)
    rest = a[:s] + a[s + 1:]
    for d2, k2 in _neighbour_trips(st, j, d, k):
        b = _stops(st, d2, k2)
        load_b = sum(x[2] for x in b)
        before = km_a + _km(K, b)
        # relocate: into b at each position, or merged with b's stop at the same place
        if load_b + moved <= seats[d2]:
            here = [x for x, stop in enumerate(b) if stop[0] == j]
            if here:
                x = here[0]
                merged = (j, b[x][1] + a[s][1], b[x][2] + moved, max(b[x][3], a[s][3]))
                new_b = b[:x] + [merged] + b[x + 1:]
                yield d2, k2, rest, new_b, before - _km(K, rest) - _km(K, new_b)
            else:
                km_rest = _km(K, rest)
                for pos in range(len(b) + 1):
                    new_b = b[:pos] + [a[s]] + b[pos:]
                    yield d2, k2, rest, new_b, before - km_rest - _km(K, new_b)
        # exchange: stop s of a with each stop of b
        for t in range(len(b)):
            if load_a - moved + b[t][2] > seats[d] or load_b - b[t][2] + moved > seats[d2]:
                continue
            new_a, new_b = a[:s] + [b[t]] + a[s + 1:], b[:t] + [a[s]] + b[t + 1:]
            if _distinct(new_a) and _distinct(new_b):
                yield d2, k2, new_a, new_b, before - _km(K, new_a) - _km(K, new_b)
        # 2-opt*: a keeps its stops up to s, then b's tail; b gets a's tail
        head_a = sum(x[2] for x in a[:s + 1])
        head_b = 0
        for y in range(len(b) + 1):
            if y:
                head_b += b[y - 1][2]
            if head_a + load_b - head_b <= seats[d] and head_b + load_a - head_a <= seats[d2]:
                new_a, new_b = a[:s + 1] + b[y:], b[:y] + a[s + 1:]
                if _distinct(new_a) and _distinct(new_b):
                    yield d2, k2, new_a, new_b, before - _km(K, new_a) - _km(K, new_b)


def _timed(st: State, d: int, by_k: dict[int, list], work: Work):
    """(km, last, end) of driver ``d`` with some trips replaced (an empty one goes), or None."""
    pb = st.pb
    k0 = min(by_k)
    sched = []
    for k, (w, places) in enumerate(st.sched[d]):
        if k in by_k:
            if by_k[k]:
                sched.append((max(x[3] for x in by_k[k]), [x[0] for x in by_k[k]]))
        else:
            sched.append((w, places))
    work.done += 1
    if k0 >= len(sched):  # the driver's last trips went: the evening ends differently
        return time_driver(pb, d, sched)
    return time_from(pb, d, sched, k0, *st.pref[d][k0])


def _apply(st: State, d: int, by_k: dict[int, list]) -> None:
    trips = []
    for k, t in enumerate(st.routes[d]):
        if k in by_k:
            if by_k[k]:
                new = Trip([[x[0], list(x[1])] for x in by_k[k]])
                new.refresh(st.pb)
                trips.append(new)
        else:
            trips.append(t)
    st.set_trips(d, trips)


def improve_routes(st: State, drivers, work: Work, stop, max_moves: int = 50, places=None) -> int:
    """Apply improving route moves on the trips of ``drivers`` until none is left (or
    ``max_moves``, or ``stop``); returns how many were applied. With ``places``, only the
    stops at those places are moved (a search step tidies what it changed, not the night)."""
    applied = 0
    todo = sorted(set(drivers))
    while todo and applied < max_moves and not stop(work):
        d = todo.pop(0)
        if st.late[d]:
            continue
        moved = _improve_driver(st, d, work, places)
        if moved:
            applied += 1
            todo = sorted(set(todo) | set(moved))
    return applied


def _improve_driver(st: State, d: int, work: Work, places=None) -> list[int] | None:
    """The first improving move of a stop of driver ``d``, applied; the drivers it changed."""
    pb = st.pb
    spk = pb.sec_per_km
    glob = st.last_arrival()
    for k in range(len(st.routes[d])):
        for s in range(len(st.routes[d][k].stops)):
            if places is not None and st.routes[d][k].stops[s][0] not in places:
                continue
            for d2, k2, new_a, new_b, saved in _moves(st, d, k, s):
                work.done += 1
                holds_last = max(st.dlast[d], st.dlast[d2]) >= glob - EPS
                if saved * spk <= IMPROVEMENT and not holds_last:
                    continue
                change = {d: {k: new_a, k2: new_b}} if d2 == d else {d: {k: new_a}, d2: {k2: new_b}}
                res = {dd: _timed(st, dd, by_k, work) for dd, by_k in change.items()}
                if any(r is None for r in res.values()):
                    continue
                new_last = max(r[1] for r in res.values())
                new_cost = sum(r[0] * spk + 0.5 * r[2] for r in res.values())
                old_last = max(st.dlast[dd] for dd in change)
                old_cost = sum(st.dkm[dd] * spk + 0.5 * st.dend[dd] for dd in change)
                if holds_last:  # these drivers bring the last guest home: earlier is better
                    k_old, k_new = max(old_last, st.floor), max(new_last, st.floor)
                else:
                    k_old, k_new = glob, max(new_last, glob)
                if (k_new, new_cost) < (k_old, old_cost - IMPROVEMENT):
                    for dd in sorted(change):
                        _apply(st, dd, change[dd])
                    return sorted(change)
    return None
