"""The search's working solution: who is where, each driver's trips, and the running score.

``State`` is mutable and cheap to copy, so the search can try a change on a copy and keep
it only when the night gets better. It keeps the counters that the format ranks plans by
up to date as parties come and go, and re-times a driver's schedule whenever it changes.
"""
from __future__ import annotations

from .problem import CAR, WALK, Problem
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
        self.visited = [0] * P  # stops at each place, over all trips
        # beds wanted back: people of each kind whose returning_to host can take them and who
        # are not there (yet); others take such a bed only when nothing else is as good
        self.wanted = [[0, 0] for _ in range(P)]
        for i, j in enumerate(pb.returning):
            if j >= 0 and j in pb.compat[i]:
                self.wanted[j][pb.kind[i]] += pb.size[i]
        self.floor = 0.0  # the last arrival cannot be earlier than this (set by the search)
        self.vuln = self.people = self.rot = self.ret = 0

    # -- reading -----------------------------------------------------------------------
    def score(self) -> tuple:
        """Smaller is better, in NIGHT-FORMAT.md's order, after the drivers who would be late.

        Only a fixed placement can make a driver late; a plan that fixes that is valid where
        the other is not, which outranks everything. Announced placements changed rank right
        after returning wishes: they share its place in the tuple (a fraction below one, so a
        wish honoured still outweighs every change), which keeps the tuple's shape.
        """
        last = max(max(self.dlast, default=NEG), max(self.plast, default=NEG))
        changed = sum(1 for i, j in self.pb.night.announced_at if self.place[i] != j)
        return (sum(self.late), -self.vuln, -self.people, -self.rot, -self.ret + changed / (self.pb.n + 1),
                last if last > NEG else 0.0, sum(self.dkm))

    def last_arrival(self) -> float:
        last = max(max(self.dlast, default=NEG), max(self.plast, default=NEG))
        return last if last > NEG else 0.0

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
        s = State.__new__(State)
        s.pb = self.pb
        s.place = self.place[:]
        s.guests = [g[:] for g in self.guests]
        s.used = self.used[:]
        s.kinds = [k[:] for k in self.kinds]
        s.leave = self.leave[:]
        s.plast = self.plast[:]
        s.routes = [[t.copy() for t in r] for r in self.routes]
        s.sched = [[(w, st[:]) for w, st in sc] for sc in self.sched]
        s.pref = [p[:] for p in self.pref]
        s.slack = [x[:] for x in self.slack]
        s.dkm = self.dkm[:]
        s.dlast = self.dlast[:]
        s.dend = self.dend[:]
        s.late = self.late[:]
        s.visited = self.visited[:]
        s.wanted = [w[:] for w in self.wanted]
        s.floor = self.floor
        s.vuln, s.people, s.rot, s.ret = self.vuln, self.people, self.rot, self.ret
        return s

    # -- changing ----------------------------------------------------------------------
    def _count(self, i: int, j: int, sign: int) -> None:
        pb = self.pb
        self.place[i] = j if sign > 0 else -1
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
        if not g:
            self.leave[j] = pb.self_leave[j]
            self.plast[j] = NEG
            return
        w = max(pb.wait[i] for i in g)
        if pb.reach[j] == WALK:
            self.plast[j] = w + pb.walk[j]
        else:
            self.leave[j] = max(pb.self_leave[j], w)
            self.plast[j] = self.leave[j] + pb.self_ride[j]

    def put(self, i: int, j: int) -> None:
        """Place ``i`` at a walk shelter or a self host."""
        self._count(i, j, +1)
        self.guests[j].append(i)
        pb = self.pb
        if pb.reach[j] == WALK:
            a = pb.wait[i] + pb.walk[j]
            if a > self.plast[j]:
                self.plast[j] = a
        else:
            if pb.wait[i] > self.leave[j]:
                self.leave[j] = pb.wait[i]
            self.plast[j] = self.leave[j] + pb.self_ride[j]

    def carry(self, i: int, j: int, d: int, k: int, pos: int, mode: str) -> None:
        """Place ``i`` at car place ``j`` with driver ``d``.

        ``mode`` is ``join`` (stop ``pos`` of trip ``k`` already drops at ``j``), ``stop``
        (a new stop at ``pos`` in trip ``k``) or ``trip`` (a new trip at index ``k``).
        """
        self._count(i, j, +1)
        self.guests[j].append(i)
        r = self.routes[d]
        if mode == "trip":
            t = Trip([[j, [i]]])
            r.insert(k, t)
            self.visited[j] += 1
        else:
            t = r[k]
            if mode == "join":
                t.stops[pos][1].append(i)
            else:
                t.stops.insert(pos, [j, [i]])
                self.visited[j] += 1
        t.refresh(self.pb)
        self.retime(d)

    def remove(self, i: int) -> None:
        j = self.place[i]
        if j < 0:
            return
        self._count(i, j, -1)
        self.guests[j].remove(i)
        if self.pb.reach[j] == CAR:
            for d, r in enumerate(self.routes):
                for k, t in enumerate(r):
                    for s, (sj, g) in enumerate(t.stops):
                        if sj == j and i in g:
                            g.remove(i)
                            if not g:
                                del t.stops[s]
                                self.visited[j] -= 1
                            if not t.stops:
                                del r[k]
                            else:
                                t.refresh(self.pb)
                            self.retime(d)
                            return
        else:
            self._refresh_place(j)

    def retime(self, d: int) -> None:
        pb = self.pb
        sched = [(t.wait, [j for j, _ in t.stops]) for t in self.routes[d]]
        self.sched[d] = sched
        res = time_driver(pb, d, sched)
        self.late[d] = res is None
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
        self.dkm[d] = km
        self.dlast[d] = last if sched else NEG
        self.dend[d] = end
