"""Placing one party, and building a whole night from nothing.

``best_option`` finds where one party costs the night least: first where it is wanted back
(``returning_to``) and where it takes no bed a returning guest is owed, then where it does not
push the last arrival later, then where no driver is needed (a walk shelter, a self host, a
seat left on a trip already going there), and only then where the fewest extra kilometres
and minutes are driven. ``construct`` inserts everyone in priority order: vulnerable people
first, then those who slept outside most often, larger parties before smaller (they are the
hardest to fit); fixed placements before all.
"""
from __future__ import annotations

from bisect import bisect_left

from .problem import CAR, EPS, WALK, Problem
from .routes import time_from
from .state import State

NEAR_CAR_PLACES = 8  # car places with (and as many without) a stop that an insertion considers
NEW_TRIP_DRIVERS = 8  # drivers free around the party's wait, offered a new trip for an insertion
INF = float("inf")
OPEN_PLACES = 64  # places without a driver that an insertion compares (the nearest that have room)
SCAN = 400  # accepting places looked through at most for car places a trip already goes to


class Work:
    """Counted work (re-timings of a schedule): the deterministic clock of the search."""

    __slots__ = ("done",)

    def __init__(self):
        self.done = 0


def priority(pb: Problem, i: int, noise: float = 0.0) -> tuple:
    """Who is placed first: the format's order, party by party (then the biggest, the first come)."""
    return (not pb.vulnerable[i], -(pb.rotation[i] / pb.size[i] + noise), pb.returning[i] < 0, -pb.size[i],
            pb.wait[i], i)


def threshold(pb: Problem, st: State) -> float:
    """Arrivals up to this moment cost nothing: the last arrival cannot be earlier anyway."""
    last = st.last_arrival()
    return last if last > st.floor else st.floor


def scalar(key) -> float:
    """One number for an insertion's key, in seconds, for comparing alternatives (regret).

    Taking a bed a returning guest is owed weighs like a day of driving; minutes past the
    last arrival count twice; a place without a driver costs nothing but its spare beds.
    """
    miss, late, mode, cost = key
    return miss * 86400.0 + 2.0 * late + (60.0 + cost if mode else float(cost))


def _new_trip_drivers(st: State, w: float, size: int, many: int | None) -> list[int]:
    """The drivers offered a new trip: those who became free last before ``w`` and those free
    soonest after it (all of them with ``many`` None), each with a seat for ``size``."""
    pb = st.pb
    seats, late = pb.seats, st.late
    if many is None or len(seats) <= many:
        return sorted((d for d in range(len(seats)) if seats[d] >= size and not late[d]),
                      key=lambda d: (max(st.dend[d], w), d))
    ends = st.ends()
    at = bisect_left(ends, (w, -1))
    out, before, after = [], at - 1, at
    while len(out) < many and (before >= 0 or after < len(ends)):
        for side in (0, 1):
            if side == 0 and before >= 0:
                d = ends[before][1]
                before -= 1
            elif side == 1 and after < len(ends):
                d = ends[after][1]
                after += 1
            else:
                continue
            if seats[d] >= size and not late[d]:
                out.append(d)
    return out[:many]


def best_option(st: State, i: int, thr: float, work: Work, among=None, force: bool = False, hurry: bool = False,
                shake=None, regret: bool = False):
    """The cheapest way to place party ``i`` now, as ``(key, action)``; ``(None, None)`` if none.

    ``among`` narrows the places tried (default: every place that accepts the party); with
    ``force`` they are tried full or not (fixed placements). In a ``hurry`` (half the time
    is spent), fewer car places and drivers are tried; with ``hurry=2`` (the time is up and
    parties are still to place), fewer places without a driver too. ``shake`` (a ``random.Random``)
    blurs the driving cost by up to half, so that the search sometimes takes the
    second-cheapest car: the cheapest now can be the one another party needed.

    On a city's night a party is accepted by thousands of places: the nearest
    ``OPEN_PLACES`` with room are compared, with the car places nearest to the meeting
    point, those a trip already goes to, and the host that wants the party back.

    With ``regret``, returns ``(key, action, second)``: ``second`` is the ``scalar`` cost of
    the best way in at another place (or a lower bound of it; inf if there is none), so
    that a repair can place first the party that would lose most by waiting.
    """
    pb = st.pb
    w, size, ret = pb.wait[i], pb.size[i], pb.returning[i]
    best_key, best = None, None
    seen: dict[int, float] | None = {} if regret else None  # place -> scalar of its best key
    car_seen, car_new = [], []
    many = 2 if hurry else NEAR_CAR_PLACES  # compat lists are nearest first
    open_places = 16 if hurry > 1 else OPEN_PLACES
    work.done += 1
    used, beds, kinds, reach = st.used, pb.beds, st.kinds, pb.reach
    is_host, other, stops_at = pb.is_host, 1 - pb.kind[i], st.stops_at
    opened = n_seen = n_new = 0
    ret_done = ret < 0 or among is not None
    places = pb.compat[i] if among is None else among
    limit = len(places)  # how far to look: cut short once enough of each kind is found
    for n, j in enumerate(places):
        if n >= limit:
            break
        if not force and (used[j] + size > beds[j] or (is_host[j] and kinds[j][other])):
            continue
        if reach[j] == CAR:
            if stops_at[j]:
                if n_seen >= many:
                    continue
                car_seen.append(j)
                n_seen += 1
            elif n_new < many:
                car_new.append(j)
                n_new += 1
            else:
                continue
        elif opened < open_places or j == ret:
            opened += 1
            ret_done = ret_done or j == ret
            best_key, best = _on_foot(st, i, j, thr, best_key, best, seen)
        else:
            continue
        if opened >= open_places and n_new >= many and limit == len(places):
            limit = n + 1 if n_seen >= many else max(n + 1, SCAN)
    scanned = min(limit, len(places))
    if not ret_done and reach[ret] != CAR and ret in pb.compat[i] and st.fits(i, ret):
        best_key, best = _on_foot(st, i, ret, thr, best_key, best, seen)
    work.done += scanned // 32
    car = car_seen + car_new
    if ret >= 0 and ret not in car and reach[ret] == CAR and (among is None or ret in among) and ret in pb.compat[i] \
            and (force or st.fits(i, ret)):
        car.append(ret)
    if car:
        best_key, best, pruned = _by_car(st, i, thr, work, car, force, hurry, shake, best_key, best, seen)
    else:
        pruned = INF
    if not regret:
        return best_key, best
    at = best[1] if best is not None else -1
    second = min([v for j, v in seen.items() if j != at] + [pruned])
    return best_key, best, second


def _on_foot(st: State, i: int, j: int, thr: float, best_key, best, seen):
    """``best_option`` for a walk shelter or a self host: (key, action) of the better way."""
    pb = st.pb
    w = pb.wait[i]
    if j == pb.returning[i]:
        miss = 0
    else:
        want = st.wanted[j]
        miss = 2 if (want[0] or want[1]) and st.takes_wanted_bed(i, j) else 1
    if pb.reach[j] == WALK:
        a = w + pb.walk[j]
    else:
        a = (st.leave[j] if st.leave[j] > w else w) + pb.self_ride[j]
        if a > pb.latest[j] + EPS:
            return best_key, best
    key = (miss, a - thr if a > thr else 0.0, 0, pb.beds[j] - st.used[j] - pb.size[i])
    if seen is not None:
        v = scalar(key)
        if v < seen.get(j, INF):
            seen[j] = v
    if best_key is None or key < best_key:
        return key, ("put", j)
    return best_key, best


def _by_car(st: State, i: int, thr: float, work: Work, car_places: list[int], force: bool, hurry: bool, shake,
            best_key, best, seen):
    """``best_option`` for the car places: join a trip going there, add a stop to a trip going
    near, or a new trip. Returns (key, action, the scalar bound of the first way not timed)."""
    pb = st.pb
    w, size, ret = pb.wait[i], pb.size[i], pb.returning[i]
    K, seats, spk, near, board, drop = pb.K, pb.seats, pb.sec_per_km, pb.near, pb.board, pb.drop
    sched, routes, late, stops_at = st.sched, st.routes, st.late, st.stops_at
    # the open trips (a seat for the party) that stop at each place near the car places
    trips_at: dict[int, list[tuple[int, int]]] = {}
    for p in {p for j in car_places for p in near[j]}:
        for d in stops_at[p]:
            if seats[d] < size or late[d]:
                continue
            for k, (tw, stops) in enumerate(sched[d]):
                if p in stops and routes[d][k].load + size <= seats[d]:
                    trips_at.setdefault(p, []).append((d, k))
    many = 2 if hurry else None if force else NEW_TRIP_DRIVERS
    new_trips = []
    for d in _new_trip_drivers(st, w, size, many):
        sc = sched[d]
        if force:  # a fixed party: any slot among the driver's trips
            new_trips.append((d, list(range(len(sc) + 1))))
            continue
        ks = [len(sc)]
        for k in range(len(sc)):
            if sc[k][0] > w:
                ks.insert(0, k)
                break
        new_trips.append((d, ks))
    work.done += (sum(map(len, trips_at.values())) + len(new_trips) * len(car_places)) // 8
    # Seats on trips that go there anyway cost nothing; everything else is collected with a
    # lower bound on its cost (the extra kilometres) and timed cheapest first, until the
    # bound says nothing left can do better.
    cands = []
    for j in car_places:
        miss = (0 if j == ret else 1) + st.takes_wanted_bed(i, j)
        if best_key is not None and best_key[0] < miss and seen is None:
            continue
        spare = pb.beds[j] - st.used[j] - size
        loc = j + 1
        for d, k in trips_at.get(j, ()):
            stops = sched[d][k][1]
            if w <= sched[d][k][0]:  # a seat on a trip that goes there anyway, leaving no later
                key = (miss, 0.0, 0, spare)
                if seen is not None:
                    seen[j] = min(seen.get(j, INF), scalar(key))
                if best_key is None or key < best_key:
                    best_key, best = key, ("carry", j, d, k, stops.index(j), "join")
            else:
                cands.append((miss, 0.0, j, d, k, stops.index(j), "join"))
        if best_key is not None and best_key[0] == miss and best_key[1] == 0.0 and best_key[2] == 0 and seen is None:
            continue  # nothing that drives more can do better
        # only trips that already stop at or near j are worth a detour
        for d, k in sorted({dk for p in near[j] for dk in trips_at.get(p, ())}):
            stops = sched[d][k][1]
            if j in stops:
                continue
            last_trip = k == len(sched[d]) - 1
            room = st.slack[d][k] - drop
            for pos in range(len(stops) + 1):
                a = stops[pos - 1] + 1 if pos else 0
                b = stops[pos] + 1 if pos < len(stops) else 0
                bound = (K[a][loc] + K[loc][b] - K[a][b]) * spk if (b or not last_trip) else 0.0
                if not b or bound <= room:  # else: the driver cannot be back in time
                    cands.append((miss, bound, j, d, k, pos, "stop"))
        for d, ks in new_trips:
            n = len(sched[d])
            for k in ks:
                if k < n and 2 * K[0][loc] * spk + board + drop > st.slack[d][k]:
                    continue  # a trip slipped in before trip k: the driver cannot make it
                cands.append((miss, K[0][loc] * (2 if k < n else 1) * spk, j, d, k, 0, "trip"))
    cands.sort()
    work.done += len(cands) // 8
    pruned = INF
    for miss, bound, j, d, k, pos, mode in cands:
        if best_key is not None and (miss, 0.0, 1, bound) >= best_key:
            pruned = scalar((miss, 0.0, 1, bound))
            break
        sc = sched[d]
        if mode == "join":
            trial = sc[:k] + [(w if w > sc[k][0] else sc[k][0], sc[k][1])] + sc[k + 1:]
        elif mode == "stop":
            tw, stops = sc[k]
            trial = sc[:k] + [(tw if tw > w else w, stops[:pos] + [j] + stops[pos:])] + sc[k + 1:]
        else:
            trial = sc[:k] + [(w, [j])] + sc[k:]
        work.done += 1
        res = time_from(pb, d, trial, k, *st.pref[d][k])
        if res is None:
            continue
        km, last, end = res
        cost = (km - st.dkm[d]) * spk + 0.5 * (end - st.dend[d])
        if shake is not None:
            cost *= 1.0 + 0.5 * shake.random()
        key = (miss, last - thr if last > thr else 0.0, 1, cost)
        if seen is not None:
            seen[j] = min(seen.get(j, INF), scalar(key))
        if best_key is None or key < best_key:
            best_key, best = key, ("carry", j, d, k, pos, mode)
    return best_key, best, pruned


def apply(st: State, i: int, action) -> None:
    if action[0] == "put":
        st.put(i, action[1])
    else:
        _, j, d, k, pos, mode = action
        st.carry(i, j, d, k, pos, mode)


def insert(st: State, i: int, work: Work, hurry: int = 0, shake=None) -> bool:
    """Place ``i`` where ``best_option`` says; False (and nothing changes) if nowhere."""
    key, action = best_option(st, i, threshold(st.pb, st), work, hurry=hurry, shake=shake)
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
    for i in sorted(pb.fixed, key=lambda i: (pb.latest[pb.fixed[i]], pb.wait[i], i)):  # tightest first
        insert_fixed(st, i, work)


def insert_fixed(st: State, i: int, work: Work) -> None:
    """Put fixed party ``i`` at its place (see ``place_fixed``); the search may move its ride."""
    pb = st.pb
    j = pb.fixed[i]
    if pb.reach[j] != CAR:
        st.put(i, j)
        return
    _, action = best_option(st, i, threshold(pb, st), work, among=(j,), force=True)
    if action is not None:
        apply(st, i, action)
        return
    drivers = sorted(range(len(pb.seats)), key=lambda d: (pb.seats[d] < pb.size[i], st.dend[d], d))
    if drivers:
        d = drivers[0]
        st.carry(i, j, d, len(st.routes[d]), 0, "trip")
    else:
        st.put(i, j)


def construct(st: State, work: Work, stop, targets: dict[int, int] | None = None, parties=None,
              rush=None) -> None:
    """Everyone (or ``parties``) in priority order, each where it costs least.

    Parties with a ``target`` place come first and go there if a ride can take it,
    elsewhere if not: the others would otherwise take the beds of the packing.
    Once ``stop`` says so, insertions hurry; once ``rush`` says so (the time is up), they
    look at the fewest places that still give everyone a fair try.
    """
    pb = st.pb
    place_fixed(st, work)
    targets = targets or {}
    order = range(pb.n) if parties is None else parties
    for i in sorted(order, key=lambda i: (i not in targets, priority(pb, i))):
        if st.place[i] < 0 and i not in pb.fixed and pb.compat[i]:
            if i in targets:
                _, action = best_option(st, i, threshold(pb, st), work, among=(targets[i],))
                if action is not None:
                    apply(st, i, action)
                    continue
            insert(st, i, work, hurry=2 if rush is not None and rush(work) else int(stop(work)))
