"""The night turned into flat, indexed data that the search can read quickly.

The search evaluates tens of thousands of moves a second in plain Python, so everything it
asks often is computed once here: who may go where (``compat``), the driving times and
kilometres between every pair of locations, and each place's time window in seconds from
``night.start``. Parties, places and drivers are referred to by their index in the night's
own order, which keeps the search deterministic.

Locations are numbered: 0 is the meeting point, ``1 + j`` is place ``j``, and
``1 + len(places) + d`` is driver ``d``'s home.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .night import EARTH_RADIUS_KM, Host, Night

WALK, SELF, CAR = 0, 1, 2  # how guests reach a place: on foot, with the host, with a driver

# Deadlines are compared with this much room, so that rounding times to the second in the
# plan never turns a feasible plan into a late one.
EPS = 1e-6


def _km_matrix(lat: np.ndarray, lon: np.ndarray, road_factor: float) -> np.ndarray:
    """Road kilometres between every pair of points, computed as the format defines them."""
    la, lo = np.radians(lat), np.radians(lon)
    dla = la[None, :] - la[:, None]
    dlo = lo[None, :] - lo[:, None]
    h = np.sin(dla / 2) ** 2 + np.cos(la)[:, None] * np.cos(la)[None, :] * np.sin(dlo / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h))) * road_factor


@dataclass(frozen=True)
class Problem:
    """Everything the search reads, indexed; built once per solve by ``Problem.build``."""

    night: Night
    # parties
    size: tuple[int, ...]
    kind: tuple[int, ...]  # 0: single men, 1: women alone or families (never together at a host)
    wait: tuple[float, ...]  # earliest moment the party can leave the meeting point
    vulnerable: tuple[bool, ...]
    rotation: tuple[int, ...]  # size x nights_outside
    returning: tuple[int, ...]  # place index of returning_to, or -1
    compat: tuple[tuple[int, ...], ...]  # places that accept the party and it can reach in time, nearest first
    soonest: tuple[float, ...]  # no arrival anywhere in compat is earlier (inf if none)
    fixed: dict[int, int]  # party -> place, as announced
    # places
    places: tuple
    reach: tuple[int, ...]  # WALK, SELF or CAR
    beds: tuple[int, ...]
    is_host: tuple[bool, ...]
    ready: tuple[float, ...]  # a car may not drop guests before (0 for shelters)
    latest: tuple[float, ...]  # nobody arrives after (window end, or the host's latest_arrival)
    walk: tuple[float, ...]  # walking seconds from the meeting point (walk shelters)
    self_leave: tuple[float, ...]  # a self host leaves no earlier than this
    self_ride: tuple[float, ...]  # board + drive home, for self hosts
    # drivers
    seats: tuple[int, ...]
    free: tuple[float, ...]  # first moment at the meeting point
    until: tuple[float, ...]
    home: tuple[int, ...]  # location index
    # travel
    T: list[list[float]]  # driving seconds between locations
    K: list[list[float]]  # kilometres between locations
    board: float
    drop: float
    end: float
    sec_per_km: float  # driving seconds per kilometre: weighs kilometres against minutes
    near: tuple[frozenset[int], ...]  # per place: itself and the car places nearest to it

    @property
    def n(self) -> int:
        return len(self.size)

    @classmethod
    def build(cls, night: Night) -> "Problem":
        tr = night.travel
        places = (*night.shelters, *night.hosts)
        place_index = {p.id: j for j, p in enumerate(places)}
        party_index = {p.id: i for i, p in enumerate(night.parties)}
        pts = [night.meeting_point] + [p.location for p in places] + [d.home for d in night.drivers]
        K = _km_matrix(np.array([p.lat for p in pts]), np.array([p.lon for p in pts]), tr.road_factor)
        T = K / tr.drive_kmh * 3600.0
        end = night.seconds(night.end)

        reach, ready, latest, walk, self_leave, self_ride = [], [], [], [], [], []
        for j, pl in enumerate(places):
            if isinstance(pl, Host):
                reach.append(CAR if pl.by_car else SELF)
                r, la = night.seconds(pl.ready_from), night.seconds(pl.latest_arrival)
                ready.append(max(0.0, r))
                latest.append(min(end, la))
            else:
                reach.append(CAR if pl.by_car else WALK)
                ready.append(0.0)
                latest.append(end)
            walk.append(float(K[0, 1 + j]) / tr.walk_kmh * 3600.0)
            self_leave.append(ready[-1])
            self_ride.append(tr.board_seconds + float(T[0, 1 + j]))

        drivers = night.drivers
        free = tuple(max(0.0, night.seconds(d.available_from)) for d in drivers)
        until = tuple(night.seconds(d.available_until) for d in drivers)
        home = tuple(1 + len(places) + d for d in range(len(drivers)))

        Tl, Kl = T.tolist(), K.tolist()
        wait = tuple(max(0.0, night.seconds(p.waiting_since)) for p in night.parties)
        lone = _lone_drops(len(places), reach, drivers, free, until, home, Tl, ready, latest,
                           tr.board_seconds, tr.drop_seconds)
        compat, soonest = [], []
        accepted: dict[tuple, list[int]] = {}  # parties alike are accepted alike
        reach_by_car: dict[tuple[int, int], tuple[float, float]] = {}
        for i, party in enumerate(night.parties):
            sig = (party.gender, party.minor, party.size, party.languages)
            if sig not in accepted:
                accepted[sig] = [j for j, pl in enumerate(places) if party.size <= pl.beds and pl.fits(party)]
            ok, first, w = [], float("inf"), wait[i]
            for j in accepted[sig]:
                if reach[j] == WALK:
                    arrive = w + walk[j]
                elif reach[j] == SELF:
                    arrive = max(self_leave[j], w) + self_ride[j]
                else:
                    if (j, party.size) not in reach_by_car:
                        rows = [(f, last) for seats, f, last in lone[j] if seats >= party.size]
                        reach_by_car[j, party.size] = (min((f for f, _ in rows), default=float("inf")),
                                                       max((last for _, last in rows), default=float("-inf")))
                    soonest_free, last_wait = reach_by_car[j, party.size]
                    if w > last_wait + EPS:
                        continue
                    # never later than the true earliest arrival: a bound for the search
                    arrive = max(max(soonest_free, w) + tr.board_seconds + Tl[0][1 + j], ready[j])
                if arrive <= latest[j] + EPS:
                    ok.append(j)
                    first = min(first, arrive)
            compat.append(tuple(sorted(ok, key=lambda j: (Kl[0][1 + j], j))))  # nearest first
            soonest.append(first)

        fixed = {}
        for f in night.fixed:
            if f.party in party_index and f.place in place_index:
                fixed[party_index[f.party]] = place_index[f.place]

        return cls(
            night=night,
            size=tuple(p.size for p in night.parties),
            kind=tuple(0 if p.kind == "m" else 1 for p in night.parties),
            wait=wait,
            vulnerable=tuple(p.vulnerable for p in night.parties),
            rotation=tuple(p.size * p.nights_outside for p in night.parties),
            returning=tuple(place_index.get(p.returning_to, -1) if p.returning_to else -1 for p in night.parties),
            compat=tuple(compat),
            soonest=tuple(soonest),
            fixed=fixed,
            places=places,
            reach=tuple(reach),
            beds=tuple(p.beds for p in places),
            is_host=tuple(isinstance(p, Host) for p in places),
            ready=tuple(ready),
            latest=tuple(latest),
            walk=tuple(walk),
            self_leave=tuple(self_leave),
            self_ride=tuple(self_ride),
            seats=tuple(d.seats for d in drivers),
            free=free,
            until=until,
            home=home,
            T=Tl,
            K=Kl,
            board=tr.board_seconds,
            drop=tr.drop_seconds,
            end=end,
            sec_per_km=3600.0 / tr.drive_kmh,
            near=_neighbours(K, reach),
        )


NEIGHBOURS = 12


def _neighbours(K: np.ndarray, reach: list[int]) -> tuple[frozenset[int], ...]:
    """Each place with its nearest car places: the stops worth a detour to drop there too."""
    car = np.array([j for j, r in enumerate(reach) if r == CAR], dtype=int)
    out = []
    for j in range(len(reach)):
        if len(car) == 0:
            out.append(frozenset((j,)))
            continue
        dist = K[1 + j, 1 + car]
        nearest = car[np.argsort(dist, kind="stable")[:NEIGHBOURS]]
        out.append(frozenset(int(x) for x in nearest) | {j})
    return tuple(out)


def _lone_drops(n_places, reach, drivers, free, until, home, T, ready, latest, board, drop):
    """For each car place, the drivers who could carry a party there alone: (seats, free, last wait).

    A lone trip is the easiest way a party can be carried, so a party waiting past every
    driver's ``last wait`` for a place cannot reach it tonight, whatever else the plan does.
    """
    out = []
    for j in range(n_places):
        rows = []
        if reach[j] == CAR:
            loc = 1 + j
            for d, drv in enumerate(drivers):
                deadline = min(latest[j], until[d] - drop - min(T[loc][0], T[loc][home[d]]))
                if max(free[d] + board + T[0][loc], ready[j]) <= deadline + EPS:
                    rows.append((drv.seats, free[d], deadline - board - T[0][loc]))
        out.append(rows)
    return out
