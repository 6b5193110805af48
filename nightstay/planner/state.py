"""The search's working solution: who is where, each driver's trips, and the running score.

``State`` is mutable. It keeps the counters that the format ranks plans by up to date as
parties come and go, and re-times a driver's schedule whenever it changes. The search
tries a change in place: ``begin`` opens an undo log, every change first saves what it is
about to touch (a party, a place, a driver's evening) the first time it touches it, and
``rollback`` puts exactly that back. A step that touches three drivers and ten parties
costs that, not a copy of a whole city's night. ``snapshot``/``restore`` keep the best
plan found while the search walks elsewhere.
"""
from __future__ import annotations

from bisect import bisect_left, insort

from .problem import WALK, Problem
from .routes import prefixes, slack, stop_times, time_driver

NEG = float("-inf")


class Trip:
    """One trip of a driver: stops in order, each ``[place, [parties]]``."""

    __slots__ = ("stops", "load", "wait")

    def __init__(self, stops=None):
        self.stops = stops or []
        self.load = 0
        self.wait = 0.0

    def refresh(self, pb: Problem) -> None:
        ps = [i for _, guests in self.stops for i in guests]
        self.load = sum(pb.size[i] for i in ps)
        self.wait = max([0.0] + [pb.wait[i] for i in ps])

    def copy(self) -> "Trip":
        t = Trip([[j, list(g)] for j, g in self.stops])
        t.load, t.wait = self.load, self.wait
        return t


class State:
    def __init__(self, pb: Problem):
        self.pb = pb
        n, P, D = pb.n, len(pb.places), len(pb.seats)
        self.place = [-1] * n
        self.rider = [-1] * n  # the driver who carries a party to a car place
        self.guests = [[] for _ in range(P)]
        self.used = [0] * P
        self.kinds = [[0, 0] for _ in range(P)]
        self.leave = list(pb.self_leave)  # self hosts: when they leave the meeting point
        self.plast = [NEG] * P  # walk shelters and self hosts: when their last guest arrives
        self.routes = [[] for _ in range(D)]
        self.sched = [[] for _ in range(D)]  # (wait, [places]) per trip, for timing
        self.pref = [[(pb.free[d], 0.0, 0.0)] for d in range(D)]
        self.slack = [[pb.until[d] - pb.free[d]] for d in range(D)]
        self.dkm = [0.0] * D
        self.dlast = [NEG] * D
        self.dend = list(pb.free)
        self.late = [False] * D  # schedule breaks a deadline (only ever through a fixed placement)
        self.n_late = 0
        # place -> {driver: how many of the driver's trips stop there}; empty: no trip goes there
        self.stops_at: list[dict[int, int]] = [{} for _ in range(P)]
        # beds wanted back: people of each kind whose returning_to host can take them and who
        # are not there (yet); others take such a bed only when nothing else is as good
        self.wanted = [[0, 0] for _ in range(P)]
        for i, j in enumerate(pb.returning):
            if j >= 0 and j in pb.compat[i]:
                self.wanted[j][pb.kind[i]] += pb.size[i]
        self.waiting = {i for i in range(n) if pb.compat[i]}  # unplaced parties that some place takes
        self.floor = 0.0  # the last arrival cannot be earlier than this (set by the search)
        self.vuln = self.people = self.rot = self.ret = 0
        self._last: float | None = NEG  # cached last arrival; None: to be recomputed
        self._ends: list | None = None  # (dend, d) in order, when asked for
        self.log = None  # the undo log while a change is tried (``begin``)

    # -- reading -----------------------------------------------------------------------
    def score(self, announced: bool = True) -> tuple:
        """Smaller is better, in NIGHT-FORMAT.md's order, after the drivers who would be late.

        Only a fixed placement can make a driver late; a plan that fixes that is valid where
        the other is not, which outranks everything. Announced placements changed rank right
        after returning wishes: they share its place in the tuple (a fraction below one, so a
        wish honoured still outweighs every change), which keeps the tuple's shape. The last
        two terms are always the last arrival and the kilometres (``search`` reads them from
        the end). Without ``announced``, changes are not counted: moves that walk towards a night
        sheltering more compare that way, as on a night planned for the first time.
        """
        at = self.pb.night.announced_at
        changed = sum(1 for i, j in at if self.place[i] != j) if at and announced else 0
        return (self.n_late, -self.vuln, -self.people, -self.rot, -self.ret + changed / (self.pb.n + 1),
                self.last_arrival(), sum(self.dkm))

    def last_arrival(self) -> float:
        last = self._last
        if last is None:
            last = self._last = max(max(self.dlast, default=NEG), max(self.plast, default=NEG))
        return last if last > NEG else 0.0

    def _arrival_changed(self, old: float, new: float) -> None:
        last = self._last
        if last is None:
            return
        if new >= last:
            self._last = new
        elif old >= last:  # the latest arrival got earlier: find the new latest when asked
            self._last = None

    def ends(self) -> list[tuple[float, int]]:
        """``(when the driver is free after their last trip, driver)``, soonest first."""
        if self._ends is None:
            self._ends = sorted((e, d) for d, e in enumerate(self.dend))
        return self._ends

    def fits(self, i: int, j: int) -> bool:
        """Beds left and no mixing of single men with women or families at a host."""
        pb = self.pb
        if self.used[j] + pb.size[i] > pb.beds[j]:
            return False
        return not pb.is_host[j] or self.kinds[j][1 - pb.kind[i]] == 0

    def takes_wanted_bed(self, i: int, j: int) -> bool:
        """Would placing ``i`` at ``j`` keep a returning guest from coming back there?"""
        pb = self.pb
        if pb.returning[i] == j:
            return False
        want = self.wanted[j]
        if not (want[0] or want[1]):
            return False
        if self.used[j] + pb.size[i] + want[0] + want[1] > pb.beds[j]:
            return True
        return pb.is_host[j] and want[1 - pb.kind[i]] > 0

    def copy(self) -> "State":
        """A whole independent copy (the board's manual moves try changes this way)."""
        s = State.__new__(State)
        s.pb = self.pb
        s.place, s.rider = self.place[:], self.rider[:]
        s.guests = [g[:] for g in self.guests]
        s.used = self.used[:]
        s.kinds = [k[:] for k in self.kinds]
        s.leave = self.leave[:]
        s.plast = self.plast[:]
        s.routes = [[t.copy() for t in r] for r in self.routes]
        s.sched = [[(w, st[:]) for w, st in sc] for sc in self.sched]
        s.pref = [p[:] for p in self.pref]
        s.slack = [x[:] for x in self.slack]
        s.dkm, s.dlast, s.dend, s.late = self.dkm[:], self.dlast[:], self.dend[:], self.late[:]
        s.n_late = self.n_late
        s.stops_at = [dict(x) for x in self.stops_at]
        s.wanted = [w[:] for w in self.wanted]
        s.waiting = set(self.waiting)
        s.floor = self.floor
        s.vuln, s.people, s.rot, s.ret = self.vuln, self.people, self.rot, self.ret
        s._last, s._ends = self._last, None
        s.log = None
        return s

    # -- trying a change ---------------------------------------------------------------
    def begin(self) -> None:
        """Start logging what changes, so that ``rollback`` can undo it."""
        self.log = ({}, {}, {}, (self.vuln, self.people, self.rot, self.ret, self._last, self.n_late))

    def commit(self) -> None:
        self.log = None

    def rollback(self) -> None:
        """Undo everything since ``begin``, touched part by touched part."""
        parties, places, drivers, counters = self.log
        self.log = None
        for i, (j, d) in parties.items():
            self.place[i], self.rider[i] = j, d
            if j < 0 and self.pb.compat[i]:
                self.waiting.add(i)
            else:
                self.waiting.discard(i)
        for j, (g, used, kinds, leave, plast, wanted) in places.items():
            self.guests[j], self.used[j], self.kinds[j] = g, used, kinds
            self.leave[j], self.plast[j], self.wanted[j] = leave, plast, wanted
        for d, (routes, sched, pref, sl, km, last, end, late) in drivers.items():
            self._index_stops(d, -1)
            if self._ends is not None and end != self.dend[d]:
                del self._ends[bisect_left(self._ends, (self.dend[d], d))]
                insort(self._ends, (end, d))
            self.routes[d], self.sched[d], self.pref[d], self.slack[d] = routes, sched, pref, sl
            self.dkm[d], self.dlast[d], self.dend[d], self.late[d] = km, last, end, late
            self._index_stops(d, +1)
        self.vuln, self.people, self.rot, self.ret, self._last, self.n_late = counters

    def _touch_party(self, i: int) -> None:
        if self.log is not None and i not in self.log[0]:
            self.log[0][i] = (self.place[i], self.rider[i])

    def _touch_place(self, j: int) -> None:
        if self.log is not None and j not in self.log[1]:
            self.log[1][j] = (self.guests[j][:], self.used[j], self.kinds[j][:], self.leave[j], self.plast[j],
                              self.wanted[j][:])

    def _touch_driver(self, d: int) -> None:
        if self.log is not None and d not in self.log[2]:
            self.log[2][d] = ([t.copy() for t in self.routes[d]], self.sched[d], self.pref[d], self.slack[d],
                              self.dkm[d], self.dlast[d], self.dend[d], self.late[d])

    def snapshot(self, before: bool = False) -> tuple:
        """Who is where and every trip: enough to ``restore`` this plan later. With
        ``before``, the plan as it was at ``begin`` (read from the undo log, nothing undone)."""
        place = list(self.place)
        routes = list(self.routes)
        if before and self.log is not None:
            for i, (j, _) in self.log[0].items():
                place[i] = j
            for d, saved in self.log[2].items():
                routes[d] = saved[0]
        return tuple(place), tuple(tuple(tuple((j, tuple(g)) for j, g in t.stops) for t in r) for r in routes)

    def restore(self, snap: tuple) -> None:
        """Become the plan of ``snap`` (the undo log is dropped)."""
        place, routes = snap
        fresh = State(self.pb)
        fresh.floor = self.floor
        for d, r in enumerate(routes):
            for stops in r:
                t = Trip([[j, list(g)] for j, g in stops])
                t.refresh(self.pb)
                fresh.routes[d].append(t)
                for j, g in stops:
                    for i in g:
                        fresh._count(i, j, +1)
                        fresh.guests[j].append(i)
                        fresh.rider[i] = d
            if r:
                fresh.retime(d)
        for i, j in enumerate(place):
            if j >= 0 and fresh.place[i] < 0:
                fresh.put(i, j)
        self.__dict__.update(fresh.__dict__)

    # -- changing ----------------------------------------------------------------------
    def _count(self, i: int, j: int, sign: int) -> None:
        pb = self.pb
        if self.log is not None:
            self._touch_party(i)
            self._touch_place(j)
        self.place[i] = j if sign > 0 else -1
        if sign > 0:
            self.waiting.discard(i)
        elif pb.compat[i]:
            self.waiting.add(i)
        self.used[j] += sign * pb.size[i]
        self.kinds[j][pb.kind[i]] += sign
        self.people += sign * pb.size[i]
        if pb.vulnerable[i]:
            self.vuln += sign * pb.size[i]
        self.rot += sign * pb.rotation[i]
        if pb.returning[i] == j:
            self.ret += sign
            if j in pb.compat[i]:
                self.wanted[j][pb.kind[i]] -= sign * pb.size[i]

    def _refresh_place(self, j: int) -> None:
        pb = self.pb
        g = self.guests[j]
        old = self.plast[j]
        if not g:
            self.leave[j] = pb.self_leave[j]
            self.plast[j] = NEG
        else:
            w = max(pb.wait[i] for i in g)
            if pb.reach[j] == WALK:
                self.plast[j] = w + pb.walk[j]
            else:
                self.leave[j] = max(pb.self_leave[j], w)
                self.plast[j] = self.leave[j] + pb.self_ride[j]
        self._arrival_changed(old, self.plast[j])

    def put(self, i: int, j: int) -> None:
        """Place ``i`` at a walk shelter or a self host."""
        self._count(i, j, +1)
        self.guests[j].append(i)
        pb = self.pb
        old = self.plast[j]
        if pb.reach[j] == WALK:
            a = pb.wait[i] + pb.walk[j]
            if a > self.plast[j]:
                self.plast[j] = a
        else:
            if pb.wait[i] > self.leave[j]:
                self.leave[j] = pb.wait[i]
            self.plast[j] = self.leave[j] + pb.self_ride[j]
        self._arrival_changed(old, self.plast[j])

    def carry(self, i: int, j: int, d: int, k: int, pos: int, mode: str) -> None:
        """Place ``i`` at car place ``j`` with driver ``d``.

        ``mode`` is ``join`` (stop ``pos`` of trip ``k`` already drops at ``j``), ``stop``
        (a new stop at ``pos`` in trip ``k``) or ``trip`` (a new trip at index ``k``).
        """
        if self.log is not None:
            self._touch_driver(d)
        self._count(i, j, +1)
        self.guests[j].append(i)
        self.rider[i] = d
        r = self.routes[d]
        if mode == "trip":
            t = Trip([[j, [i]]])
            r.insert(k, t)
        else:
            t = r[k]
            if mode == "join":
                t.stops[pos][1].append(i)
            else:
                t.stops.insert(pos, [j, [i]])
        t.refresh(self.pb)
        self.retime(d)

    def remove(self, i: int) -> None:
        j = self.place[i]
        if j < 0:
            return
        d = self.rider[i]
        if d >= 0 and self.log is not None:
            self._touch_driver(d)
        self._count(i, j, -1)
        self.guests[j].remove(i)
        self.rider[i] = -1
        if d < 0:
            self._refresh_place(j)
            return
        r = self.routes[d]
        for k, t in enumerate(r):
            for s, (sj, g) in enumerate(t.stops):
                if sj == j and i in g:
                    g.remove(i)
                    if not g:
                        del t.stops[s]
                    if not t.stops:
                        del r[k]
                    else:
                        t.refresh(self.pb)
                    self.retime(d)
                    return

    def set_trips(self, d: int, trips: list[Trip]) -> None:
        """Give driver ``d`` these trips: guests already placed, rearranged by a route move."""
        if self.log is not None:
            self._touch_driver(d)
        for t in trips:
            for _, g in t.stops:
                for i in g:
                    if self.rider[i] != d:
                        self._touch_party(i)
                        self.rider[i] = d
        self.routes[d] = trips
        self.retime(d)

    def _index_stops(self, d: int, sign: int) -> None:
        for _, stops in self.sched[d]:
            for j in stops:
                at = self.stops_at[j]
                n = at.get(d, 0) + sign
                if n:
                    at[d] = n
                else:
                    del at[d]

    def retime(self, d: int) -> None:
        pb = self.pb
        if self.log is not None:
            self._touch_driver(d)
        self._index_stops(d, -1)
        sched = [(t.wait, [j for j, _ in t.stops]) for t in self.routes[d]]
        self.sched[d] = sched
        self._index_stops(d, +1)
        res = time_driver(pb, d, sched)
        late = res is None
        self.n_late += late - self.late[d]
        self.late[d] = late
        if res is None:  # only a fixed placement can force this: time it without deadlines
            times = stop_times(pb, d, sched)
            last = max((a for _, arr, _, _ in times for a in arr), default=NEG)
            pre = prefixes(pb, d, sched)
            km = pre[-1][1] + pb.K[0][pb.home[d]]
            res = (km, last, times[-1][2])
            self.pref[d] = pre
        else:
            self.pref[d] = prefixes(pb, d, sched)
        km, last, end = res
        self.slack[d] = slack(pb, d, sched)
        old = self.dlast[d]
        self.dkm[d] = km
        self.dlast[d] = last if sched else NEG
        if self._ends is not None and end != self.dend[d]:
            del self._ends[bisect_left(self._ends, (self.dend[d], d))]
            insort(self._ends, (end, d))
        self.dend[d] = end
        self._arrival_changed(old, self.dlast[d])
