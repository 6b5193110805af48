"""Timing a driver's evening: the format's rules for trips, on indexed data, in seconds.

A driver's schedule is a list of trips in time order; for timing, a trip is just
``(wait, stops)``: the latest ``waiting_since`` of its guests and the places it drops at, in
order. Who sits in the car does not change the clock, only that latest wait does, which is
why the search can try thousands of insertions a second by re-timing these small tuples.

The rules are ``plan.time_trip``'s (and the reference checker's): load after the driver is
free and the last guest is there, drive, wait outside a host until ``ready_from``, drop,
and drive back to the meeting point, or home after the last trip when there is time to
(home is never farther than the meeting point and then home, so it is never worse).
"""
from __future__ import annotations

from .problem import EPS, Problem


def time_from(pb: Problem, d: int, sched: list, k: int, free: float, km: float, last: float):
    """Time trips ``k..`` of driver ``d`` given the state before trip ``k``.

    Returns ``(km, last_arrival, end)`` for the whole schedule, or None when a deadline
    (a host's latest arrival, the window's end, the driver's ``available_until``) is broken.
    """
    T, K, ready, latest = pb.T, pb.K, pb.ready, pb.latest
    board, drop, until = pb.board, pb.drop, pb.until[d] + EPS
    n = len(sched)
    t = free
    for k in range(k, n):
        w, stops = sched[k]
        t = (t if t > w else w) + board
        here = 0
        for j in stops:
            loc = j + 1
            t += T[here][loc]
            km += K[here][loc]
            if t < ready[j]:
                t = ready[j]
            if t > latest[j] + EPS:
                return None
            if t > last:
                last = t
            t += drop
            here = loc
        if k == n - 1:
            h = pb.home[d]
            if t + T[here][h] <= until:
                km += K[here][h]
                t += T[here][h]
            else:
                km += K[here][0] + K[0][h]
                t += T[here][0]
        else:
            km += K[here][0]
            t += T[here][0]
        if t > until:
            return None
    return km, last, t


def time_driver(pb: Problem, d: int, sched: list):
    """Time a driver's whole schedule; ``(0, 0, free)`` when the driver stays home."""
    if not sched:
        return 0.0, 0.0, pb.free[d]
    return time_from(pb, d, sched, 0, pb.free[d], 0.0, 0.0)


def prefixes(pb: Problem, d: int, sched: list) -> list[tuple[float, float, float]]:
    """(free, km, last) before each trip, and after the last one back at the meeting point.

    ``time_from(pb, d, sched, k, *prefixes(...)[k])`` re-times a schedule changed from trip
    ``k`` on, without re-timing the trips before it.
    """
    T, K, ready = pb.T, pb.K, pb.ready
    board, drop = pb.board, pb.drop
    out = []
    t, km, last = pb.free[d], 0.0, 0.0
    for w, stops in sched:
        out.append((t, km, last))
        t = (t if t > w else w) + board
        here = 0
        for j in stops:
            loc = j + 1
            t += T[here][loc]
            km += K[here][loc]
            if t < ready[j]:
                t = ready[j]
            if t > last:
                last = t
            t += drop
            here = loc
        km += K[here][0]
        t += T[here][0]
    out.append((t, km, last))
    return out


def slack(pb: Problem, d: int, sched: list) -> list[float]:
    """How much later trip ``k`` could end at most without the driver missing ``available_until``.

    The room left at the end, plus every wait from trip ``k`` on (for guests still on their
    way, for a host not ready yet) that a delay would eat into. Any change that delays trip
    ``k`` by more than this is infeasible, so the search does not need to time it. Deadlines
    at hosts are not counted: this is a quick necessary condition, not a check.
    """
    T, ready = pb.T, pb.ready
    t = pb.free[d]
    waits = []
    here = 0
    for w, stops in sched:
        idle = w - t if w > t else 0.0
        t = (t if t > w else w) + pb.board
        here = 0
        for j in stops:
            t += T[here][j + 1]
            if t < ready[j]:
                idle += ready[j] - t
                t = ready[j]
            t += pb.drop
            here = j + 1
        waits.append(idle)
        t += T[here][0]
    if sched:
        t -= T[here][0]
        t += min(T[here][0], T[here][pb.home[d]])
    out = [pb.until[d] - t]
    for idle in reversed(waits):
        out.append(out[-1] + idle)
    out.reverse()
    return out


def stop_times(pb: Problem, d: int, sched: list) -> list[tuple[float, list[float], float, str]]:
    """For writing the plan: per trip (depart, arrivals, end_at, end) of a feasible schedule."""
    T, ready = pb.T, pb.ready
    out = []
    t = pb.free[d]
    n = len(sched)
    for k, (w, stops) in enumerate(sched):
        t = max(t, w) + pb.board
        depart = t
        here, arrivals = 0, []
        for j in stops:
            t = max(t + T[here][j + 1], ready[j])
            arrivals.append(t)
            t += pb.drop
            here = j + 1
        end = "meeting_point"
        if k == n - 1 and t + T[here][pb.home[d]] <= pb.until[d] + EPS:
            end, t = "home", t + T[here][pb.home[d]]
        else:
            t += T[here][0]
        out.append((depart, arrivals, t, end))
    return out
