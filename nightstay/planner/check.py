"""Check a plan against its night, and score it: NIGHT-FORMAT.md's rules and ranking.

The planner's output is a promise to people waiting in the cold: a host who said "until
23:30", a car with four seats, a dormitory of men. A plan that breaks any of it sends
someone to a door that stays shut, so every plan the platform shows is checked here first,
by rules written once, apart from the solver that might get them wrong.

The rules and the score are the format's reference checker's, to the letter: the same
60 seconds of slack per leg, times counted on from the true earliest so that slack never
adds up, the same summary fields judged. Unlike the reference, a malformed plan (a missing
key, a number where a time should be) gives error lines here, never an exception.

    verdict = check_plan(night, plan_dict)
    verdict.valid, verdict.errors, verdict.score
    best = min(scores, key=rank_key)
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .night import Driver, Host, Location, Night, Party, Shelter
from .plan import FORMAT, announced_changed
from .values import YEARS

SLACK = timedelta(seconds=60)
SUMMARY_COUNTS = ("people", "sheltered", "vulnerable_sheltered", "rotation", "returning_honoured", "announced_changed")
SUMMARY_KM_TOLERANCE = 1.0


@dataclass(frozen=True)
class Verdict:
    """Every broken rule, one line each, and the plan's score (whatever its validity)."""

    errors: tuple[str, ...]
    score: dict

    @property
    def valid(self) -> bool:
        return not self.errors


def check_plan(night: Night, plan: Any) -> Verdict:
    """Judge a decoded plan document against ``night``; never raises on a malformed plan."""
    check = _Check(night)
    try:
        score = check.run(plan)
    except OverflowError:  # hundreds of stops across continents: times beyond what a calendar holds
        check.err("trips: times run past the end of the calendar")
        score = check.score({}, {}, 0.0)
    score["valid"] = not check.errors
    return Verdict(tuple(check.errors), score)


def rank_key(score: Mapping) -> tuple:
    """Sort key for scores (or plan summaries), smaller is better, in NIGHT-FORMAT.md's order.

    More vulnerable people sheltered, then more people, then a higher rotation, more
    returning wishes honoured, fewer announced placements changed (only in the scores of
    nights that have ``announced``: others rank as they always did), an earlier last
    arrival, fewer driver kilometres.
    """
    last = score.get("last_arrival")
    last = datetime.fromisoformat(last).timestamp() if last else 0
    changed = (score["announced_changed"],) if "announced_changed" in score else ()
    return (-score["vulnerable_sheltered"], -score["sheltered"], -score["rotation"], -score["returning_honoured"],
            *changed, last, score["driver_km"])


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Check:
    """One pass over a plan, in the reference checker's order, collecting broken rules."""

    def __init__(self, night: Night):
        self.night = night
        self.errors: list[str] = []
        self.parties: dict[str, Party] = night.party_by_id
        self.places: dict[str, Shelter | Host] = night.places
        self.drivers: dict[str, Driver] = {d.id: d for d in night.drivers}
        self.board = timedelta(minutes=night.travel.board_minutes)
        self.drop = timedelta(minutes=night.travel.drop_minutes)

    def err(self, message: str) -> None:
        self.errors.append(message)

    def clock(self, t: datetime) -> str:
        """A time as a coordinator reads it: on the hub's clock, to the second (the date is tonight's)."""
        return t.astimezone(self.night.start.tzinfo).strftime("%H:%M:%S")

    # -- reading the plan -------------------------------------------------------------------

    def time(self, obj: dict, key: str, path: str) -> datetime | None:
        if key not in obj:
            self.err(f"{path}.{key}: missing")
            return None
        value = obj[key]
        try:
            t = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            self.err(f"{path}.{key}: not an ISO 8601 time: {_show(value)}")
            return None
        if t.utcoffset() is None:
            self.err(f"{path}.{key}: time without UTC offset: {_show(value)}")
            return None
        if not YEARS[0] <= t.year <= YEARS[1]:
            self.err(f"{path}.{key}: must be between the years {YEARS[0]} and {YEARS[1]}, got {_show(value)}")
            return None
        return t

    def objects(self, value: Any, path: str) -> list[tuple[int, dict]]:
        """The objects of a list in the plan, with their index; anything else is an error."""
        if not isinstance(value, list):
            self.err(f"{path}: must be a list")
            return []
        found = []
        for i, item in enumerate(value):
            if isinstance(item, dict):
                found.append((i, item))
            else:
                self.err(f"{path}[{i}]: must be an object")
        return found

    def party_ids(self, value: Any, path: str) -> list[str]:
        if not isinstance(value, list):
            self.err(f"{path}: must be a list of party ids")
            return []
        ids = []
        for item in value:
            if isinstance(item, str):
                ids.append(item)
            else:
                self.err(f"{path}: unknown party {_show(item)}")
        return ids

    # -- travel -----------------------------------------------------------------------------

    def drive(self, a: Location, b: Location) -> timedelta:
        return timedelta(hours=self.night.travel.km(a, b) / self.night.travel.drive_kmh)

    def walk(self, a: Location, b: Location) -> timedelta:
        return timedelta(hours=self.night.travel.km(a, b) / self.night.travel.walk_kmh)

    # -- the rules --------------------------------------------------------------------------

    def run(self, plan: Any) -> dict:
        if not isinstance(plan, dict):
            self.err("plan: must be a JSON object")
            plan = {}
        if plan.get("format") != FORMAT:
            self.err(f'format: must be "{FORMAT}"')
        where, arrive = self.placements(plan)
        carried = self.walked_and_self_driven(where, arrive)
        km, dropped = self.trips(plan.get("trips", []), arrive)
        for pid, place in carried.items():
            if dropped.get(pid) != place:
                self.err(f"party {pid} placed at {place} but no trip drops it there")
        for pid, place in dropped.items():
            if where.get(pid) != place:
                self.err(f"party {pid} dropped at {place} but placed at {where.get(pid)}")
        score = self.score(where, arrive, km)
        summary = plan.get("summary") or {}
        if isinstance(summary, dict):
            self.summary(summary, score)
        else:
            self.err("summary: must be an object")
        return score

    def placements(self, plan: dict) -> tuple[dict[str, str | None], dict[str, datetime]]:
        """Where each party is (a place id, or None when unplaced) and when it arrives."""
        where: dict[str, str | None] = {}
        arrive: dict[str, datetime] = {}
        for i, pl in self.objects(plan.get("placements", []), "placements"):
            pid, place = pl.get("party"), pl.get("place")
            if not isinstance(pid, str) or pid not in self.parties:
                self.err(f"placements[{i}]: unknown party {_show(pid)}")
                continue
            if pid in where:
                self.err(f"party {pid} appears twice")
            where[pid] = place
            if not isinstance(place, str) or place not in self.places:
                self.err(f"placements[{i}]: unknown place {_show(place)}")
                continue
            why = self.places[place].refuses(self.parties[pid])
            if why:
                self.err(f"party {pid} at {place}: {why}")
            t = self.time(pl, "arrive", f"placements[{i}]")
            if t is not None:
                arrive[pid] = t
        unplaced = plan.get("unplaced", [])
        if not isinstance(unplaced, list):
            self.err("unplaced: must be a list")
            unplaced = []
        for pid in unplaced:
            if not isinstance(pid, str) or pid not in self.parties:
                self.err(f"unplaced: unknown party {_show(pid)}")
            elif pid in where:
                self.err(f"party {pid} both placed and unplaced" if where[pid] is not None
                         else f"party {pid} unplaced twice")
            else:
                where[pid] = None
        for pid in self.parties:
            if pid not in where:
                self.err(f"party {pid} is neither placed nor unplaced")
        for f in self.night.fixed:
            if where.get(f.party) != f.place:
                self.err(f"fixed placement {f.party} -> {f.place} not kept")
        self.beds_and_company(where)
        return where, arrive

    def beds_and_company(self, where: dict[str, str | None]) -> None:
        """No place over its beds; no host receiving single men together with women or families."""
        load: dict[str, int] = {}
        kinds: dict[str, set[str]] = {}
        for pid, place in where.items():
            if isinstance(place, str) and place in self.places:
                load[place] = load.get(place, 0) + self.parties[pid].size
                if self.places[place].is_host:
                    kinds.setdefault(place, set()).add(self.parties[pid].kind)
        for place, n in load.items():
            if n > self.places[place].beds:
                self.err(f"{place}: {n} people for {self.places[place].beds} beds")
        for place, found in kinds.items():
            if len(found) > 1:
                self.err(f"{place}: men and women or families at the same host")

    def walked_and_self_driven(self, where: dict[str, str | None], arrive: dict[str, datetime]) -> dict[str, str]:
        """Time the parties who need no driver; return the others, who a trip must drop."""
        night, carried = self.night, {}
        for pid, place_id in where.items():
            place = self.places.get(place_id) if isinstance(place_id, str) else None
            if place is None:
                continue
            party = self.parties[pid]
            if isinstance(place, Shelter) and not place.by_car:
                earliest = max(night.start, party.waiting_since) + self.walk(night.meeting_point, place.location)
                self.on_time(pid, arrive.get(pid), earliest, night.end)
            elif isinstance(place, Host) and not place.by_car:
                # the host leaves once, with all of its guests: after the last of them is there
                last_waiting = max(self.parties[q].waiting_since for q, at in where.items() if at == place_id)
                earliest = (max(night.start, last_waiting, place.ready_from) + self.board
                            + self.drive(night.meeting_point, place.location))
                self.on_time(pid, arrive.get(pid), earliest, min(night.end, place.latest_arrival))
            else:
                carried[pid] = place_id
        return carried

    def on_time(self, pid: str, got: datetime | None, earliest: datetime, latest: datetime) -> None:
        if got is None:
            return
        if got + SLACK < earliest:
            self.err(f"party {pid}: arrives {self.clock(got)}, cannot before {self.clock(earliest)}")
        if max(got, earliest) > latest + SLACK:
            self.err(f"party {pid}: arrives {self.clock(max(got, earliest))}, after {self.clock(latest)}")

    def trips(self, trips: Any, arrive: dict[str, datetime]) -> tuple[float, dict[str, str]]:
        """Check every driver's trips in order; return the kilometres driven and who is dropped where."""
        by_driver: dict[Any, list[tuple[int, dict]]] = {}
        for i, trip in self.objects(trips, "trips"):
            driver = trip.get("driver")
            by_driver.setdefault(driver if isinstance(driver, str) else _show(driver), []).append((i, trip))
        km, dropped = 0.0, {}
        for did, driver_trips in by_driver.items():
            driver = self.drivers.get(did)
            if driver is None:
                self.err(f"trips: unknown driver {did!r}")
                continue
            km += self.driver_trips(driver, driver_trips, arrive, dropped)
        return km, dropped

    def driver_trips(self, driver: Driver, trips: list[tuple[int, dict]], arrive: dict[str, datetime],
                     dropped: dict[str, str]) -> float:
        night = self.night
        free_at = max(night.start, driver.available_from)
        km, went_home = 0.0, False
        for i, trip in trips:
            path = f"trips[{i}]"
            if went_home:
                self.err(f"{path}: driver {driver.id} already went home")
            depart = self.time(trip, "depart", path)
            stops = [(j, stop, self.party_ids(stop.get("parties", []), f"{path}.stops[{j}].parties"))
                     for j, stop in self.objects(trip.get("stops", []), f"{path}.stops")]
            people, latest_waiting = 0, night.start
            for _, _, pids in stops:
                for pid in pids:
                    if pid not in self.parties:
                        self.err(f"{path}: unknown party {pid!r}")
                        continue
                    people += self.parties[pid].size
                    latest_waiting = max(latest_waiting, self.parties[pid].waiting_since)
            if people > driver.seats:
                self.err(f"{path}: {people} people in {driver.seats} seats")
            loaded = max(free_at, latest_waiting) + self.board
            if depart is not None and depart + SLACK < loaded:
                self.err(f"{path}: departs {self.clock(depart)} before loading can end")
            # later times follow from the true earliest departure, so slack never adds up
            here, t = night.meeting_point, max(depart or loaded, loaded)
            for j, stop, pids in stops:
                place_id = stop.get("place")
                place = self.places.get(place_id) if isinstance(place_id, str) else None
                if place is None or not place.by_car:
                    self.err(f"{path}.stops[{j}]: {_show(place_id)} is not a place reached by car")
                    continue
                km += night.travel.km(here, place.location)
                earliest = t + self.drive(here, place.location)
                latest = night.end
                if isinstance(place, Host):
                    earliest = max(earliest, place.ready_from)
                    latest = min(latest, place.latest_arrival)
                said = self.time(stop, "arrive", f"{path}.stops[{j}]")
                if said is not None and said + SLACK < earliest:
                    self.err(f"{path}.stops[{j}]: arrives {self.clock(said)}, cannot before {self.clock(earliest)}")
                real = max(said or earliest, earliest)
                if real > latest + SLACK:
                    self.err(f"{path}.stops[{j}]: arrives {self.clock(real)}, after {self.clock(latest)}")
                for pid in pids:
                    if pid in dropped:
                        self.err(f"party {pid} dropped twice")
                    dropped[pid] = place_id
                    if said is not None and pid in arrive and abs(arrive[pid] - said) > SLACK:
                        self.err(f"party {pid}: placement arrive differs from its stop")
                here, t = place.location, real + self.drop
            end = trip.get("end")
            if end == "home":
                km += night.travel.km(here, driver.home)
                back = t + self.drive(here, driver.home)
                went_home = True
            elif end == "meeting_point":
                km += night.travel.km(here, night.meeting_point)
                back = t + self.drive(here, night.meeting_point)
            else:
                self.err(f"{path}.end: must be meeting_point or home")
                back = t
            end_at = self.time(trip, "end_at", path)
            if end_at is not None and end_at + SLACK < back:
                self.err(f"{path}: end_at {self.clock(end_at)} before {self.clock(back)}")
            back = max(back, end_at or back)
            if back > driver.available_until + SLACK:
                self.err(f"{path}: driver {driver.id} busy until {self.clock(back)}, "
                         f"available until {self.clock(driver.available_until)}")
            free_at = back
        if not went_home and trips:
            # the drive home from the meeting point: its kilometres count, its time does not
            km += night.travel.km(night.meeting_point, driver.home)
        return km

    # -- the score --------------------------------------------------------------------------

    def score(self, where: dict[str, str | None], arrive: dict[str, datetime], km: float) -> dict:
        parties = self.parties
        placed = [pid for pid, place in where.items() if place is not None]
        last = max((arrive[p] for p in placed if p in arrive), default=None)
        return {
            "valid": False,  # set once every rule, the summary's included, has been checked
            "people": self.night.people,
            "sheltered": sum(parties[p].size for p in placed),
            "vulnerable_sheltered": sum(parties[p].size for p in placed if parties[p].vulnerable),
            "vulnerable": sum(p.size for p in parties.values() if p.vulnerable),
            "rotation": sum(parties[p].size * parties[p].nights_outside for p in placed),
            "returning_honoured": sum(1 for p in placed if parties[p].returning_to == where[p]),
            **({} if self.night.announced is None else {"announced_changed": announced_changed(self.night, where)}),
            "last_arrival": last.isoformat() if last is not None else None,
            "driver_km": round(km, 1),
        }

    def summary(self, summary: dict, score: dict) -> None:
        """What a plan says of itself must be true (fields it leaves out are not judged)."""
        for key in SUMMARY_COUNTS:
            if key not in summary or key not in score:  # a night without announced judges no changes
                continue
            if not _is_number(summary[key]):
                self.err(f"summary.{key}: must be a number, got {_show(summary[key])}")
            elif summary[key] != score[key]:
                self.err(f"summary.{key}: says {summary[key]}, the plan gives {score[key]}")
        if "driver_km" in summary:
            said = summary["driver_km"]
            if not _is_number(said):
                self.err(f"summary.driver_km: must be a number, got {_show(said)}")
            elif not abs(said - score["driver_km"]) <= SUMMARY_KM_TOLERANCE:
                self.err(f"summary.driver_km: says {said}, the plan gives {score['driver_km']}")
        if summary.get("last_arrival") and score["last_arrival"]:
            said = self.time(summary, "last_arrival", "summary")
            real = datetime.fromisoformat(score["last_arrival"])
            if said is not None and abs(said - real) > SLACK:
                self.err(f"summary.last_arrival: says {self.clock(said)}, the plan gives {self.clock(real)}")
