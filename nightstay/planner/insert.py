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

from .problem import CAR, EPS, WALK, Problem
from .routes import time_from
from .state import State

NEAR_CAR_PLACES = 8  # car places with (and as many without) a stop that an insertion considers
NEW_TRIP_DRIVERS = 8  # drivers free soonest, offered a new trip for an insertion


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
    return max(st.last_arrival(), st.floor)


def best_option(st: State, i: int, thr: float, work: Work, among=None, force: bool = False, hurry: bool = False,
                shake=None):
    """The cheapest way to place party ``i`` now, as ``(key, action)``; ``(None, None)`` if none.

    ``among`` narrows the places tried (default: every place that accepts the party); with
    ``force`` they are tried full or not (fixed placements). In a ``hurry`` (the time is
    nearly up), fewer car places and drivers are tried. ``shake`` (a ``random.Random``)
    blurs the driving cost by up to half, so that the search sometimes takes the
    second-cheapest car: the cheapest now can be the one another party needed.
    """
    pb = st.pb
    w, size, ret = pb.wait[i], pb.size[i], pb.returning[i]
    best_key, best = None, None
    car = []
    work.done += 1 + len(pb.compat[i]) // 8
    used, beds, kinds, wanted, reach = st.used, pb.beds, st.kinds, st.wanted, pb.reach
    is_host, other = pb.is_host, 1 - pb.kind[i]
    for j in pb.compat[i] if among is None else among:
        if not force and (used[j] + size > beds[j] or (is_host[j] and kinds[j][other])):
            continue
        r = reach[j]
        if r == CAR:
            car.append(j)
            continue
        if j == ret:
            miss = 0
        else:
            want = wanted[j]
            miss = 2 if (want[0] or want[1]) and st.takes_wanted_bed(i, j) else 1
        if r == WALK:
            a = w + pb.walk[j]
        else:
            a = (st.leave[j] if st.leave[j] > w else w) + pb.self_ride[j]
            if a > pb.latest[j] + EPS:
                continue
        key = (miss, a - thr if a > thr else 0.0, 0, beds[j] - used[j] - size)
        if best_key is None or key < best_key:
            best_key, best = key, ("put", j)
    if not car:
        return best_key, best
    # car places: a few with a stop already, the nearest others, and the returning one
    visited = st.visited
    many = 2 if hurry else NEAR_CAR_PLACES  # compat lists are nearest first
    car_places = [j for j in car if visited[j]][:many] + [j for j in car if not visited[j]][:many]
    if ret >= 0 and ret in car and ret not in car_places:
        car_places.append(ret)
    K, seats, spk, near, board, drop = pb.K, pb.seats, pb.sec_per_km, pb.near, pb.board, pb.drop
    open_trips = []  # (driver, trip index, wait, stops) of the trips with a seat for the party
    drivers = []
    for d in range(len(seats)):
        if seats[d] < size or st.late[d]:
            continue
        drivers.append(d)
        for k, t in enumerate(st.routes[d]):
            if t.load + size <= seats[d]:
                open_trips.append((d, k, t.wait, st.sched[d][k][1]))
    # a new trip goes after the driver's last, or where the party's wait falls among them
    new_trips = []
    for d in sorted(drivers, key=lambda d: (max(st.dend[d], w), d))[:2 if hurry else None if force else NEW_TRIP_DRIVERS]:
        sched = st.sched[d]
        if force:  # a fixed party: any slot among the driver's trips
            new_trips.append((d, list(range(len(sched) + 1))))
            continue
        ks = [len(sched)]
        for k in range(len(sched)):
            if sched[k][0] > w:
                ks.insert(0, k)
                break
        new_trips.append((d, ks))
    stopping_at: dict[int, list[int]] = {}  # place -> open trips that stop there
    for n_trip, (_, _, _, stops) in enumerate(open_trips):
        for p in stops:
            stopping_at.setdefault(p, []).append(n_trip)
    work.done += (len(open_trips) + len(new_trips) * len(car_places)) // 8
    # Seats on trips that go there anyway cost nothing; everything else is collected with a
    # lower bound on its cost (the extra kilometres) and timed cheapest first, until the
    # bound says nothing left can do better.
    cands = []
    for j in car_places:
        miss = (0 if j == ret else 1) + st.takes_wanted_bed(i, j)
        if best_key is not None and best_key[0] < miss:
            continue
        spare = pb.beds[j] - st.used[j] - size
        loc = j + 1
        for d, k, tw, stops in map(open_trips.__getitem__, stopping_at.get(j, ())):
            if w <= tw:  # a seat on a trip that goes there anyway, leaving no later
                key = (miss, 0.0, 0, spare)
                if best_key is None or key < best_key:
                    best_key, best = key, ("carry", j, d, k, stops.index(j), "join")
            else:
                cands.append((miss, 0.0, j, d, k, stops.index(j), "join"))
        if best_key is not None and best_key[0] == miss and best_key[1] == 0.0 and best_key[2] == 0:
            continue  # nothing that drives more can do better
        # only trips that already stop at or near j are worth a detour
        for n_trip in sorted({n for p in near[j] for n in stopping_at.get(p, ())}):
            d, k, tw, stops = open_trips[n_trip]
            if j in stops:
                continue
            last_trip = k == len(st.sched[d]) - 1
            room = st.slack[d][k] - drop
            for pos in range(len(stops) + 1):
                a = stops[pos - 1] + 1 if pos else 0
                b = stops[pos] + 1 if pos < len(stops) else 0
                bound = (K[a][loc] + K[loc][b] - K[a][b]) * spk if (b or not last_trip) else 0.0
                if not b or bound <= room:  # else: the driver cannot be back in time
                    cands.append((miss, bound, j, d, k, pos, "stop"))
        for d, ks in new_trips:
            n = len(st.sched[d])
            for k in ks:
                if k < n and 2 * K[0][loc] * spk + board + drop > st.slack[d][k]:
                    continue  # a trip slipped in before trip k: the driver cannot make it
                cands.append((miss, K[0][loc] * (2 if k < n else 1) * spk, j, d, k, 0, "trip"))
    cands.sort()
    work.done += len(cands) // 8
    for miss, bound, j, d, k, pos, mode in cands:
        if best_key is not None and (miss, 0.0, 1, bound) >= best_key:
            break
        sched = st.sched[d]
        if mode == "join":
            trial = sched[:k] + [(w, sched[k][1])] + sched[k + 1:]
        elif mode == "stop":
            tw, stops = sched[k]
            trial = sched[:k] + [(tw if tw > w else w, stops[:pos] + [j] + stops[pos:])] + sched[k + 1:]
        else:
            trial = sched[:k] + [(w, [j])] + sched[k:]
        work.done += 1
        res = time_from(pb, d, trial, k, *st.pref[d][k])
        if res is None:
            continue
        km, last, end = res
        cost = (km - st.dkm[d]) * spk + 0.5 * (end - st.dend[d])
        if shake is not None:
            cost *= 1.0 + 0.5 * shake.random()
        key = (miss, last - thr if last > thr else 0.0, 1, cost)
        if best_key is None or key < best_key:
            best_key, best = key, ("carry", j, d, k, pos, mode)
    return best_key, best


def apply(st: State, i: int, action) -> None:
    if action[0] == "put":
        st.put(i, action[1])
    else:
        _, j, d, k, pos, mode = action
        st.carry(i, j, d, k, pos, mode)


def insert(st: State, i: int, work: Work, hurry: bool = False, shake=None) -> bool:
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


def construct(st: State, work: Work, stop, targets: dict[int, int] | None = None, parties=None) -> None:
    """Everyone (or ``parties``) in priority order, each where it costs least.

    Parties with a ``target`` place come first and go there if a ride can take it,
    elsewhere if not: the others would otherwise take the beds of the packing.
    Once ``stop`` says so, insertions hurry.
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
            insert(st, i, work, hurry=stop(work))
