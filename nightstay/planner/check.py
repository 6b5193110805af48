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
    verdict.valid, verdict.problems, verdict.errors, verdict.score
    best = min(scores, key=rank_key)
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .check_read import PlanReader, is_number, show
from .night import Driver, Host, Night, Shelter
from .plan import FORMAT, Plan, announced_changed
from .problems import Violation, refusal

SLACK = timedelta(seconds=60)
SUMMARY_COUNTS = ("people", "sheltered", "vulnerable_sheltered", "rotation", "returning_honoured", "announced_changed")
SUMMARY_KM_TOLERANCE = 1.0


@dataclass(frozen=True)
class Verdict:
    """Every broken rule (a ``Violation``: a code and its values; ``errors`` says them in English), and
    the plan's score (whatever its validity)."""

    problems: tuple[Violation, ...]
    score: dict

    @property
    def errors(self) -> tuple[str, ...]:
        return tuple(p.message for p in self.problems)

    @property
    def valid(self) -> bool:
        return not self.problems


def check_plan(night: Night, plan: Any) -> Verdict:
    """Judge a decoded plan document against ``night``; never raises on a malformed plan."""
    check = _Check(night)
    try:
        score = check.run(plan)
    except OverflowError:  # hundreds of stops across continents: times beyond what a calendar holds
        check.err("calendar_overflow", path="trips")
        score = check.score({}, {}, 0.0)
    score["valid"] = not check.problems
    return Verdict(tuple(check.problems), score)


def check(night: Night, plan: Plan) -> tuple[Violation, ...]:
    """The rules ``plan`` breaks on ``night``, in the checker's order (none: the plan is valid)."""
    return check_plan(night, plan.to_json()).problems


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


class _Check(PlanReader):
    """One pass over a plan, in the reference checker's order, collecting broken rules."""

    # -- the rules --------------------------------------------------------------------------

    def run(self, plan: Any) -> dict:
        if not isinstance(plan, dict):
            self.err("plan_not_an_object", path="plan")
            plan = {}
        if plan.get("format") != FORMAT:
            self.err("wrong_format", path="format", format=FORMAT)
        where, arrive = self.placements(plan)
        carried = self.walked_and_self_driven(where, arrive)
        km, dropped = self.trips(plan.get("trips", []), arrive)
        for pid, place in carried.items():
            if dropped.get(pid) != place:
                self.err("not_dropped", party=pid, place=place)
        for pid, place in dropped.items():
            if where.get(pid) != place:
                self.err("dropped_elsewhere", party=pid, place=place, placed=where.get(pid))
        score = self.score(where, arrive, km)
        summary = plan.get("summary") or {}
        if isinstance(summary, dict):
            self.summary(summary, score)
        else:
            self.err("not_an_object", path="summary")
        return score

    def placements(self, plan: dict) -> tuple[dict[str, str | None], dict[str, datetime]]:
        """Where each party is (a place id, or None when unplaced) and when it arrives."""
        where: dict[str, str | None] = {}
        arrive: dict[str, datetime] = {}
        for i, pl in self.objects(plan.get("placements", []), "placements"):
            pid, place = pl.get("party"), pl.get("place")
            if not isinstance(pid, str) or pid not in self.parties:
                self.err("unknown_party", path=f"placements[{i}]", said=show(pid))
                continue
            if pid in where:
                self.err("placed_twice", party=pid)
            where[pid] = place
            if not isinstance(place, str) or place not in self.places:
                self.err("unknown_place", path=f"placements[{i}]", said=show(place))
                continue
            why = refusal(self.places[place], self.parties[pid])
            if why:
                self.problems.append(why)
            t = self.time(pl, "arrive", f"placements[{i}]")
            if t is not None:
                arrive[pid] = t
        unplaced = plan.get("unplaced", [])
        if not isinstance(unplaced, list):
            self.err("not_a_list", path="unplaced")
            unplaced = []
        for pid in unplaced:
            if not isinstance(pid, str) or pid not in self.parties:
                self.err("unknown_party", path="unplaced", said=show(pid))
            elif pid in where:
                self.err("placed_and_unplaced" if where[pid] is not None else "unplaced_twice", party=pid)
            else:
                where[pid] = None
        for pid in self.parties:
            if pid not in where:
                self.err("party_forgotten", party=pid)
        for f in self.night.fixed:
            if where.get(f.party) != f.place:
                self.err("fixed_not_kept", party=f.party, place=f.place)
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
                self.err("over_capacity", place=place, n=n, beds=self.places[place].beds)
        for place, found in kinds.items():
            if len(found) > 1:
                self.err("mixed_host", place=place)

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
                self.on_time(pid, place_id, arrive.get(pid), earliest, night.end)
            elif isinstance(place, Host) and not place.by_car:
                # the host leaves once, with all of its guests: after the last of them is there
                last_waiting = max(self.parties[q].waiting_since for q, at in where.items() if at == place_id)
                earliest = (max(night.start, last_waiting, place.ready_from) + self.board
                            + self.drive(night.meeting_point, place.location))
                self.on_time(pid, place_id, arrive.get(pid), earliest, min(night.end, place.latest_arrival))
            else:
                carried[pid] = place_id
        return carried

    def on_time(self, pid: str, place: str, got: datetime | None, earliest: datetime, latest: datetime) -> None:
        if got is None:
            return
        if got + SLACK < earliest:
            self.err("early_arrival", party=pid, place=place, at=got, earliest=earliest)
        if max(got, earliest) > latest + SLACK:
            self.err("late_arrival", party=pid, place=place, at=max(got, earliest), latest=latest)

    def trips(self, trips: Any, arrive: dict[str, datetime]) -> tuple[float, dict[str, str]]:
        """Check every driver's trips in order; return the kilometres driven and who is dropped where."""
        by_driver: dict[Any, list[tuple[int, dict]]] = {}
        for i, trip in self.objects(trips, "trips"):
            driver = trip.get("driver")
            by_driver.setdefault(driver if isinstance(driver, str) else show(driver), []).append((i, trip))
        km, dropped = 0.0, {}
        for did, driver_trips in by_driver.items():
            driver = self.drivers.get(did)
            if driver is None:
                self.err("unknown_driver", path="trips", said=repr(did))
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
                self.err("driver_went_home", path=path, driver=driver.id)
            depart = self.time(trip, "depart", path)
            stops = [(j, stop, self.party_ids(stop.get("parties", []), f"{path}.stops[{j}].parties"))
                     for j, stop in self.objects(trip.get("stops", []), f"{path}.stops")]
            people, latest_waiting = 0, night.start
            for _, _, pids in stops:
                for pid in pids:
                    if pid not in self.parties:
                        self.err("unknown_party", path=path, said=repr(pid), driver=driver.id)
                        continue
                    people += self.parties[pid].size
                    latest_waiting = max(latest_waiting, self.parties[pid].waiting_since)
            if people > driver.seats:
                self.err("over_seats", path=path, driver=driver.id, n=people, seats=driver.seats)
            loaded = max(free_at, latest_waiting) + self.board
            if depart is not None and depart + SLACK < loaded:
                self.err("departs_too_early", path=path, driver=driver.id, at=depart, earliest=loaded)
            # later times follow from the true earliest departure, so slack never adds up
            here, t = night.meeting_point, max(depart or loaded, loaded)
            for j, stop, pids in stops:
                place_id = stop.get("place")
                place = self.places.get(place_id) if isinstance(place_id, str) else None
                if place is None or not place.by_car:
                    self.err("not_a_car_place", path=f"{path}.stops[{j}]", driver=driver.id, said=show(place_id))
                    continue
                km += night.travel.km(here, place.location)
                earliest = t + self.drive(here, place.location)
                latest = night.end
                if isinstance(place, Host):
                    earliest = max(earliest, place.ready_from)
                    latest = min(latest, place.latest_arrival)
                said = self.time(stop, "arrive", f"{path}.stops[{j}]")
                if said is not None and said + SLACK < earliest:
                    self.err("stop_early", path=f"{path}.stops[{j}]", driver=driver.id, place=place_id, at=said,
                             earliest=earliest)
                real = max(said or earliest, earliest)
                if real > latest + SLACK:
                    self.err("stop_late", path=f"{path}.stops[{j}]", driver=driver.id, place=place_id, at=real,
                             latest=latest)
                for pid in pids:
                    if pid in dropped:
                        self.err("dropped_twice", party=pid)
                    dropped[pid] = place_id
                    if said is not None and pid in arrive and abs(arrive[pid] - said) > SLACK:
                        self.err("arrive_differs", party=pid, place=place_id)
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
                self.err("bad_end", path=f"{path}.end")
                back = t
            end_at = self.time(trip, "end_at", path)
            if end_at is not None and end_at + SLACK < back:
                self.err("ends_too_early", path=path, driver=driver.id, at=end_at, earliest=back)
            back = max(back, end_at or back)
            if back > driver.available_until + SLACK:
                self.err("driver_late", path=path, driver=driver.id, at=back, latest=driver.available_until)
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
            if not is_number(summary[key]):
                self.err("summary_not_a_number", path=f"summary.{key}", said=show(summary[key]))
            elif summary[key] != score[key]:
                self.err("summary_untrue", path=f"summary.{key}", said=summary[key], real=score[key])
        if "driver_km" in summary:
            said = summary["driver_km"]
            if not is_number(said):
                self.err("summary_not_a_number", path="summary.driver_km", said=show(said))
            elif not abs(said - score["driver_km"]) <= SUMMARY_KM_TOLERANCE:
                self.err("summary_untrue", path="summary.driver_km", said=said, real=score["driver_km"])
        if isinstance(summary.get("solve_seconds"), bool):  # the time is not judged, but true is no time
            self.err("summary_not_a_number", path="summary.solve_seconds", said=show(summary["solve_seconds"]))
        if summary.get("last_arrival") and score["last_arrival"]:
            said = self.time(summary, "last_arrival", "summary")
            real = datetime.fromisoformat(score["last_arrival"])
            if said is not None and abs(said - real) > SLACK:
                self.err("summary_time_untrue", path="summary.last_arrival", said=said, real=real)
