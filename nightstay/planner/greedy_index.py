"""The coordinators' greedy at a city's size: numpy narrows, plain Python decides.

The greedy (``greedy.py``) asks three questions over and over: which place takes this party
(every home and shelter scanned), how late can any driver still reach a place (every car
tried), and which parties are bound nearest to the stops already in a car (every party
waiting measured). Scanned in Python, a night of 10,000 people took tens of seconds.

Here the same questions are asked of arrays. Where an answer rests on distances, numpy's
kilometres (computed in another order than ``Travel.km``, so they may differ in the last
digits) only pick the few candidates that can win; the winner is then decided by the very
same Python arithmetic as before. So the greedy's decisions do not change, to the last bit,
only the time it takes to reach them.
"""
from __future__ import annotations

import numpy as np

from .night import GENDERS, Location, Party, Place
from .problem import km_between

# numpy's haversine and ``Travel.km`` agree to ~1e-12 relative: anything within this much of
# a winner (seconds or kilometres, values of at most ~1e5) is decided again exactly.
SLACK = 1e-4


def km_to(travel, here: Location, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Road kilometres from ``here`` to every point (float64, to within ``SLACK`` of ``Travel.km``)."""
    return km_between(here.lat, here.lon, lat, lon, travel.road_factor)


def last_waits(deadline, value: np.ndarray, exact: np.ndarray, unsure: np.ndarray, seats: np.ndarray,
               sizes) -> dict[int, float]:
    """For each size, the latest deadline over the cars with that many seats (-1 when none).

    ``value`` holds each car's deadline (-inf: it cannot go), ``exact`` the cars whose value
    has no distance in it (their deadline is the place's own), ``unsure`` those whose going at
    all is too close to call; ``deadline(k)`` is car ``k``'s exact deadline or None. Only the
    cars that can be the latest and whose value is not exact are timed again.
    """
    out = {}
    for size in sizes:
        able = seats >= size
        sure = value[able & ~unsure]
        top = sure.max() if sure.size else -np.inf
        known = value[able & exact]
        best = [float(known.max())] if known.size and known.max() > -np.inf else []
        cands = np.flatnonzero(able & ~exact & (unsure | ((value >= top - SLACK) & (value > -np.inf))))
        best += [t for t in (deadline(int(k)) for k in cands) if t is not None]
        out[size] = max(best, default=-1.0)
    return out


def nearest_parties(rows: list[np.ndarray], places: np.ndarray, rank: np.ndarray, exact, count: int) -> np.ndarray:
    """Positions of the ``count`` parties bound nearest to the stops, ties by their rank in line.

    ``rows[s][j]`` approximates the kilometres from stop ``s`` to car place ``j``,
    ``places`` is each candidate's car place and ``rank`` its place in line; ``exact(j)`` is
    the exact distance from place ``j`` to the nearest stop. The same parties as sorting
    everyone by ``(exact(place), rank)``, for the price of a few exact distances.
    """
    if places.size == 0:
        return places
    approx = rows[0][places]
    for row in rows[1:]:
        approx = np.minimum(approx, row[places])
    if places.size > count:
        cut = np.partition(approx, count - 1)[count - 1]
        near = np.flatnonzero(approx <= cut + SLACK)
    else:
        near = np.arange(places.size)
    dist = {j: exact(j) for j in set(places[near].tolist())}
    order = sorted(near.tolist(), key=lambda k: (dist[int(places[k])], int(rank[k])))
    return np.array(order[:count], dtype=np.int64)


class Accepting:
    """``Place.fits`` for every place at once: who a place accepts, as arrays."""

    def __init__(self, places: list[Place]):
        self.gender = {g: np.array([g in q.accepts.genders for q in places], dtype=bool) for g in GENDERS}
        self.minors = np.array([q.accepts.minors for q in places], dtype=bool)
        self.max_party = np.array([q.accepts.max_party if q.accepts.max_party is not None else np.iinfo(np.int64).max
                                   for q in places], dtype=np.int64)
        self.no_language = np.array([not q.languages for q in places], dtype=bool)
        self.speaks: dict[str, np.ndarray] = {}
        for k, q in enumerate(places):
            for lang in q.languages:
                self.speaks.setdefault(lang, np.zeros(len(places), dtype=bool))[k] = True

    def __call__(self, party: Party) -> np.ndarray:
        ok = self.gender.get(party.gender, np.zeros_like(self.minors)) & (self.minors | (not party.minor))
        ok &= party.size <= self.max_party
        if party.languages:
            talk = self.no_language.copy()
            for lang in party.languages:
                if lang in self.speaks:
                    talk |= self.speaks[lang]
            ok &= talk
        return ok


class Beds:
    """What is promised at each place so far: people and which kind (men / women and families).

    Arrays over every place (``index``), so that a whole class of places is asked at once.
    """

    def __init__(self, places: list[Place]):
        self.index = {q.id: k for k, q in enumerate(places)}
        self.beds = np.array([q.beds for q in places], dtype=np.int64)
        self.used = np.zeros(len(places), dtype=np.int64)
        self.kinds = {"m": np.zeros(len(places), dtype=np.int64), "f": np.zeros(len(places), dtype=np.int64)}
        self.host = np.array([q.is_host for q in places], dtype=bool)

    def room(self, place: Place, party: Party) -> bool:
        k = self.index[place.id]
        if self.used[k] + party.size > self.beds[k]:
            return False
        return not (place.is_host and self.kinds["f" if party.kind == "m" else "m"][k])

    def rooms(self, idx: np.ndarray, party: Party) -> np.ndarray:
        """``room`` for the places ``idx`` at once."""
        other = self.kinds["f" if party.kind == "m" else "m"][idx]
        return (self.used[idx] + party.size <= self.beds[idx]) & ~(self.host[idx] & (other != 0))

    def take(self, place: Place, party: Party) -> None:
        k = self.index[place.id]
        self.used[k] += party.size
        self.kinds[party.kind][k] += 1

    def release(self, place: Place, party: Party) -> None:
        k = self.index[place.id]
        self.used[k] -= party.size
        self.kinds[party.kind][k] -= 1




class SelfHosts:
    """The hosts who fetch their guests, as arrays: which one takes a party, at once."""

    def __init__(self, night, hosts: list, beds: Beds):
        tr, mp, end = night.travel, night.meeting_point, night.seconds(night.end)
        self.idx = np.array([beds.index[h.id] for h in hosts], dtype=np.int64)
        self.pos = {h.id: k for k, h in enumerate(hosts)}
        order = sorted(range(len(hosts)), key=lambda k: (hosts[k].ready_from, hosts[k].id))
        self.rank = np.empty(len(order), dtype=np.int64)
        self.rank[order] = np.arange(len(order))
        # ``self_pickup_arrival``'s terms: it leaves at the latest of these and its guests' waits
        self.lead = np.array([max(0.0, night.seconds(h.ready_from)) for h in hosts])
        self.drive = np.array([tr.drive_seconds(mp, h.location) for h in hosts])
        self.latest = np.array([min(end, night.seconds(h.latest_arrival)) for h in hosts])
        self.board = tr.board_seconds
        self.night = night

    def pick(self, party: Party, accepts: np.ndarray, beds: Beds) -> int | None:
        """The tightest fit that can still bring ``party`` home in time: fewest beds left, then
        the earliest ready, then the id (the hosts ``accepts`` says accept it)."""
        wait = self.night.seconds(party.waiting_since)  # as self_pickup_arrival has it
        arrive = np.maximum(self.lead, wait) + self.board + self.drive
        fit = accepts & beds.rooms(self.idx, party) & (arrive <= self.latest)
        if not fit.any():
            return None
        left = beds.beds[self.idx] - beds.used[self.idx]
        return int(np.argmin(np.where(fit, left * len(self.idx) + self.rank, np.iinfo(np.int64).max)))

    def leaves_after(self, host: Place, wait: float) -> None:
        """A guest of ``host`` waits until ``wait``: the host cannot leave the park before."""
        k = self.pos[host.id]
        self.lead[k] = max(self.lead[k], wait)


class CarPlaces:
    """The places a driver must reach, nearest to the park first, as arrays."""

    def __init__(self, night, places: list, beds: Beds, go: dict[str, float]):
        end = night.seconds(night.end)
        self.tr = night.travel
        self.idx = np.array([beds.index[q.id] for q in places], dtype=np.int64)
        self.pos = {q.id: k for k, q in enumerate(places)}
        self.lat = np.array([q.location.lat for q in places])
        self.lon = np.array([q.location.lon for q in places])
        self.go = np.array([go[q.id] for q in places])
        self.ready = np.array([night.seconds(q.ready_from) if q.is_host else -np.inf for q in places])
        self.latest = np.array([min(end, night.seconds(q.latest_arrival)) if q.is_host else end for q in places])
        home_lat = np.array([d.home.lat for d in night.drivers])
        home_lon = np.array([d.home.lon for d in night.drivers])
        # driving seconds from each place to each driver's home, nearly: one matrix (9 MB at 10,000 people)
        self.homes = km_between(self.lat[:, None], self.lon[:, None], home_lat, home_lon, self.tr.road_factor) \
            / self.tr.drive_kmh * 3600.0
        self.rows: dict[str, np.ndarray] = {}  # kilometres from a stop to each place, nearly

    def row(self, stop: Place) -> np.ndarray:
        """Kilometres from ``stop`` to every car place, nearly (float32: only to narrow a choice)."""
        if stop.id not in self.rows:
            self.rows[stop.id] = km_to(self.tr, stop.location, self.lat, self.lon).astype(np.float32)
        return self.rows[stop.id]

    def may_lead(self, car, d: int, heads: np.ndarray, wait: np.ndarray, place: np.ndarray) -> np.ndarray:
        """The ``heads`` that ``car`` (driver ``d``) might take alone: those it surely cannot are left out.

        ``time_trip``'s arithmetic for one stop, with the drive back or home from numpy's
        kilometres; only a party ``time_trip`` itself then accepts leads the trip.
        """
        tr, j = self.tr, place[heads]
        arrive = np.maximum(np.maximum(car.free, wait[heads]) + tr.board_seconds + self.go[j], self.ready[j])
        after = arrive + tr.drop_seconds - car.until - SLACK
        back = np.minimum(self.go[j], self.homes[j, d])
        return heads[(arrive <= self.latest[j]) & (after + back <= 0)]
