"""The night turned into flat, indexed data that the search can read quickly.

The search evaluates tens of thousands of moves a second in plain Python, so everything it
asks often is computed once here: who may go where (``compat``), the driving times and
kilometres between every pair of locations, and each place's time window in seconds from
``night.start``. Parties, places and drivers are referred to by their index in the night's
own order, which keeps the search deterministic.

A city's night has thousands of parties and places, so nothing here loops over pairs in
Python: distances are one float32 matrix computed by numpy (rows are read through
memoryviews, which index as fast as lists and copy nothing), and who accepts whom is decided
once per class of alike parties and alike places, then spread over the members with numpy.

Locations are numbered: 0 is the meeting point, ``1 + j`` is place ``j``, and
``1 + len(places) + d`` is driver ``d``'s home.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .night import EARTH_RADIUS_KM, Host, Night, Party

WALK, SELF, CAR = 0, 1, 2  # how guests reach a place: on foot, with the host, with a driver

# Deadlines are compared with this much room, so that rounding times to the second in the
# plan never turns a feasible plan into a late one.
EPS = 1e-6
ROWS_AT_ONCE = 256  # distance rows computed together: bounds the float64 scratch memory
NEIGHBOURS = 12  # car places worth a detour from each place (``near``)
AROUND = 24  # places of any kind listed around each place (``around``)


def _unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=1)


def _distance_matrices(lat, lon, road_factor: float, sec_per_km: float) -> tuple[np.ndarray, np.ndarray]:
    """(kilometres, driving seconds) between every pair of points, as float32.

    The great-circle distance of the format, from the chord between unit vectors
    (``2 arcsin(chord / 2)`` is the haversine formula rewritten; the squared chord is
    ``2 - 2 u.v``, one matrix product), a few rows at a time in float64 (then float32) so
    that the scratch memory stays small on a city's night. Near points lose nothing that matters: the squared
    chord's rounding (1e-16) is a millimetre at worst.
    """
    v = _unit_vectors(np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64))
    n = len(v)
    K = np.empty((n, n), dtype=np.float32)
    T = np.empty((n, n), dtype=np.float32)
    scale = 2 * EARTH_RADIUS_KM * road_factor
    x, y, z = v[:, 0], v[:, 1], v[:, 2]
    for a in range(0, n, ROWS_AT_ONCE):
        b = min(n, a + ROWS_AT_ONCE)
        # the dot products by hand: a threaded BLAS spins for nothing on a busy machine
        chord2 = x[a:b, None] * x
        chord2 += y[a:b, None] * y
        chord2 += z[a:b, None] * z
        chord2 *= -2.0
        chord2 += 2.0
        np.maximum(chord2, 0.0, out=chord2)
        km = K[a:b]
        km[...] = chord2  # float32 from here: the cancellation is behind us
        np.sqrt(km, out=km)
        km *= 0.5
        np.minimum(km, 1.0, out=km)
        np.arcsin(km, out=km)
        km *= scale
        np.multiply(km, sec_per_km, out=T[a:b])
    np.fill_diagonal(K, 0.0)
    np.fill_diagonal(T, 0.0)
    return K, T


def km_between(lat1, lon1, lat2, lon2, road_factor: float) -> np.ndarray:
    """Road kilometres between points, float64 and broadcast (a column against a row: a matrix).

    The same chord form as ``_distance_matrices``, but from the differences of the unit
    vectors, which lose nothing to cancellation: within 1e-9 km of ``Travel.km``, close
    enough for the coordinators' greedy to narrow its choices with (``greedy_index``).
    """
    la1, lo1, la2, lo2 = (np.radians(np.asarray(a, dtype=np.float64)) for a in (lat1, lon1, lat2, lon2))
    dx = np.cos(la1) * np.cos(lo1) - np.cos(la2) * np.cos(lo2)
    dy = np.cos(la1) * np.sin(lo1) - np.cos(la2) * np.sin(lo2)
    dz = np.sin(la1) - np.sin(la2)
    chord = np.sqrt(dx * dx + dy * dy + dz * dz)
    return 2 * EARTH_RADIUS_KM * road_factor * np.arcsin(np.minimum(1.0, chord / 2))


def _rows(matrix: np.ndarray) -> list:
    """Row views of a C-contiguous matrix: ``rows[a][b]`` is a Python float, nothing copied."""
    flat = memoryview(matrix.reshape(-1))
    n = matrix.shape[1]
    return [flat[a * n:(a + 1) * n] for a in range(matrix.shape[0])]


class _Nearest:
    """Per place, the ``count`` nearest places among ``pool`` (and itself), found when first asked.

    Most places of a city's night are never asked about in a short run, so sorting every
    row up front would cost more than the whole search.
    """

    def __init__(self, K: np.ndarray, pool: np.ndarray, count: int, as_set: bool):
        self.K, self.pool, self.count, self.as_set = K, pool, count, as_set
        self.cache: dict[int, object] = {}

    def __getitem__(self, j: int):
        got = self.cache.get(j)
        if got is None:
            pool = self.pool
            if len(pool) == 0:
                got = (j,)
            else:
                dist = self.K[1 + j, 1 + pool]
                if len(pool) > self.count:
                    part = np.argpartition(dist, self.count - 1)[:self.count]
                    pick = part[np.lexsort((pool[part], dist[part]))]
                else:
                    pick = np.lexsort((pool, dist))
                got = tuple(int(x) for x in pool[pick])
            if self.as_set:
                got = frozenset(got) | {j}
            self.cache[j] = got
        return got

    def __len__(self) -> int:
        return self.K.shape[0]


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
    T: list  # driving seconds between locations: T[a][b], rows of a float32 matrix
    K: list  # kilometres between locations, the same way
    board: float
    drop: float
    end: float
    sec_per_km: float  # driving seconds per kilometre: weighs kilometres against minutes
    near: _Nearest  # per place: itself and the car places nearest to it (a frozenset)
    around: _Nearest  # per place: the places of any kind nearest to it, nearest first

    @property
    def n(self) -> int:
        return len(self.size)

    @cached_property
    def returners(self) -> tuple[int, ...]:
        """Parties wanted back by a host that can take them (and not pinned elsewhere)."""
        return tuple(i for i, j in enumerate(self.returning) if j >= 0 and j in self.compat[i] and i not in self.fixed)

    @classmethod
    def build(cls, night: Night) -> "Problem":
        tr = night.travel
        places = (*night.shelters, *night.hosts)
        P, drivers = len(places), night.drivers
        place_index = {p.id: j for j, p in enumerate(places)}
        party_index = {p.id: i for i, p in enumerate(night.parties)}
        pts = [night.meeting_point] + [p.location for p in places] + [d.home for d in drivers]
        sec_per_km = 3600.0 / tr.drive_kmh
        Km, Tm = _distance_matrices([p.lat for p in pts], [p.lon for p in pts], tr.road_factor, sec_per_km)
        end = night.seconds(night.end)
        board, drop = tr.board_seconds, tr.drop_seconds

        reach, ready, latest = [], [], []
        for pl in places:
            if isinstance(pl, Host):
                reach.append(CAR if pl.by_car else SELF)
                ready.append(max(0.0, night.seconds(pl.ready_from)))
                latest.append(min(end, night.seconds(pl.latest_arrival)))
            else:
                reach.append(CAR if pl.by_car else WALK)
                ready.append(0.0)
                latest.append(end)
        reach_a, ready_a, latest_a = np.array(reach, dtype=np.int8), np.array(ready), np.array(latest)
        go = Tm[0, 1:1 + P].astype(np.float64)  # drive from the meeting point
        walk_a = Km[0, 1:1 + P].astype(np.float64) / tr.walk_kmh * 3600.0
        ride_a = board + go

        free = tuple(max(0.0, night.seconds(d.available_from)) for d in drivers)
        until = tuple(night.seconds(d.available_until) for d in drivers)
        home = tuple(1 + P + d for d in range(len(drivers)))
        wait = tuple(max(0.0, night.seconds(p.waiting_since)) for p in night.parties)
        sizes = sorted({p.size for p in night.parties})

        # When can a party of each size still leave for each place (wmax), and how soon can
        # it be there at the earliest (max(A, wait + B))?
        wmax, A = {}, {}
        walk_ok = reach_a == WALK
        self_ok = (reach_a == SELF) & (ready_a + ride_a <= latest_a + EPS)
        base = np.where(walk_ok, latest_a + EPS - walk_a, np.where(self_ok, latest_a + EPS - ride_a, -np.inf))
        base_A = np.where(reach_a == SELF, ready_a + ride_a, -np.inf)
        B = np.where(walk_ok, walk_a, ride_a)
        car = np.flatnonzero(reach_a == CAR)
        lone = _lone_drops(car, Tm, np.array(free), np.array(until), np.array(home, dtype=np.int64),
                           ready_a, latest_a, board, drop)
        seats_a = np.array([d.seats for d in drivers], dtype=np.int64)
        for s in sizes:
            wm, a = base.copy(), base_A.copy()
            if len(car):
                ok, first_free, last_wait = lone
                ok_s = ok & (seats_a >= s)[None, :]
                sf = np.where(ok_s, first_free[None, :], np.inf).min(axis=1, initial=np.inf)
                lw = np.where(ok_s, last_wait, -np.inf).max(axis=1, initial=-np.inf)
                arrive = np.maximum(sf + board + go[car], ready_a[car])
                reachable = np.isfinite(sf) & (arrive <= latest_a[car] + EPS)
                wm[car] = np.where(reachable, np.minimum(lw + EPS, latest_a[car] + EPS - board - go[car]), -np.inf)
                a[car] = arrive
            wmax[s], A[s] = wm, a

        compat, soonest = _compat(night.parties, places, wait, Km[0, 1:1 + P], wmax, A, B)

        fixed = {}
        for f in night.fixed:
            if f.party in party_index and f.place in place_index:
                fixed[party_index[f.party]] = place_index[f.place]

        self_leave = tuple(ready)
        return cls(
            night=night,
            size=tuple(p.size for p in night.parties),
            kind=tuple(0 if p.kind == "m" else 1 for p in night.parties),
            wait=wait,
            vulnerable=tuple(p.vulnerable for p in night.parties),
            rotation=tuple(p.size * p.nights_outside for p in night.parties),
            returning=tuple(place_index.get(p.returning_to, -1) if p.returning_to else -1 for p in night.parties),
            compat=compat,
            soonest=soonest,
            fixed=fixed,
            places=places,
            reach=tuple(reach),
            beds=tuple(p.beds for p in places),
            is_host=tuple(isinstance(p, Host) for p in places),
            ready=tuple(ready),
            latest=tuple(latest),
            walk=tuple(walk_a.tolist()),
            self_leave=self_leave,
            self_ride=tuple(ride_a.tolist()),
            seats=tuple(d.seats for d in drivers),
            free=free,
            until=until,
            home=home,
            T=_rows(Tm),
            K=_rows(Km),
            board=board,
            drop=drop,
            end=end,
            sec_per_km=sec_per_km,
            near=_Nearest(Km, car, NEIGHBOURS, as_set=True),
            around=_Nearest(Km, np.arange(P), AROUND, as_set=False),
        )


def _lone_drops(car, T, free, until, home, ready, latest, board, drop):
    """For car place x driver: can the driver carry a party there alone, and until when may it wait?

    A lone trip is the easiest way a party can be carried, so a party waiting past every
    driver's last wait for a place cannot reach it tonight, whatever else the plan does.
    Returns (ok, free, last wait) as (car places x drivers) arrays (free per driver).
    """
    if len(car) == 0 or len(free) == 0:
        return np.zeros((len(car), len(free)), dtype=bool), free, np.zeros((len(car), len(free)))
    loc = 1 + car
    go = T[0, loc].astype(np.float64)[:, None]
    back = np.minimum(T[loc, 0].astype(np.float64)[:, None], T[np.ix_(loc, home)].astype(np.float64))
    deadline = np.minimum(latest[car][:, None], until[None, :] - drop - back)
    ok = np.maximum(free[None, :] + board + go, ready[car][:, None]) <= deadline + EPS
    return ok, free, deadline - board - go


def _compat(parties: tuple[Party, ...], places: tuple, wait, km_from_meeting, wmax, A, B):
    """Per party: the places that accept it and that it can reach in time, nearest first; and
    the soonest it could arrive at any of them.

    Who accepts whom is asked once per class of alike parties and alike places; the places of
    a class of parties are sorted once; a party's list is its class's, less the places it
    would reach too late. Alike lists are one shared tuple, so thousands of parties cost the
    memory of a few lists.
    """
    P = len(places)
    place_class: dict[tuple, int] = {}
    place_rep, of_place = [], np.empty(P, dtype=np.int64)
    for j, pl in enumerate(places):
        key = (pl.accepts, pl.languages)
        if key not in place_class:
            place_class[key] = len(place_rep)
            place_rep.append(pl)
        of_place[j] = place_class[key]
    beds = np.array([pl.beds for pl in places], dtype=np.int64)
    order = np.lexsort((np.arange(P), km_from_meeting))  # nearest first, then by index
    members: dict[tuple, list[int]] = {}
    for i, party in enumerate(parties):
        members.setdefault((party.gender, party.minor, party.size, party.languages), []).append(i)
    compat: list = [()] * len(parties)
    soonest = [float("inf")] * len(parties)
    waits = np.asarray(wait, dtype=np.float64)
    for sig, who in members.items():
        party = parties[who[0]]
        accepts = np.array([pl.fits(party) for pl in place_rep], dtype=bool)
        idx = order[accepts[of_place[order]] & (beds[order] >= party.size)]
        if not len(idx):
            continue
        wm, a, b = wmax[party.size][idx], A[party.size][idx], B[idx]
        whole, lowest = tuple(idx.tolist()), float(wm.min())
        by_keep: dict[bytes, tuple] = {}
        alike = np.unique(waits[who])
        lists, soon = [], []
        step = max(1, 2_000_000 // len(idx))  # waits at once: bounds the scratch matrix
        for c in range(0, len(alike), step):
            w = alike[c:c + step, None]
            keep = wm[None, :] >= w
            arrive = np.where(keep, np.maximum(a[None, :], w + b[None, :]), np.inf)
            soon += arrive.min(axis=1).tolist()
            for row, w_ in zip(keep, alike[c:c + step]):
                if w_ <= lowest:
                    lists.append(whole)
                    continue
                key = row.tobytes()
                if key not in by_keep:
                    by_keep[key] = tuple(idx[row].tolist())
                lists.append(by_keep[key])
        at = np.searchsorted(alike, waits[who])
        for i, k in zip(who, at.tolist()):
            compat[i], soonest[i] = lists[k], soon[k]
    return tuple(compat), tuple(soonest)
