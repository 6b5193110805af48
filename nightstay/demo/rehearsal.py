"""A whole night played through the platform's own code, on a clock that runs as fast as it can.

A rehearsal loads one of the planner's demo nights (``nightstay.planner.demo``) as a hub with
hosts, drivers and a dormitory, then plays the evening: parties arrive at the park when the
demo says, the coordinator plans and announces at 21:00, cars leave and drop when their run
sheets say, and random events happen (hosts cancel, a driver does not come, cars run late,
50 people arrive after 22:30, parties leave, one is not at the pickup spot). A coordinator
plans again when the board shows alerts, looks at what would change, and announces. After
every event the invariants (``invariants.check``) are checked.

Everything runs in one transaction that is rolled back at the end: nothing of a rehearsal
is kept. The clock is ``time_machine``'s, so every timestamp the platform writes is the
night's own.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import time_machine
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from nightstay.accounts.models import User
from nightstay.dispatch import announce
from nightstay.hubs.models import Hub, Membership, Night, NightEvent, Role, Shelter
from nightstay.intake.models import TICKET_ALPHABET, Party
from nightstay.planner import MaxRuntime, MaxWork, demo, read_night, solve
from nightstay.planning import changes, events, nightfile, runs
from nightstay.planning.models import Placement, Stop, Trip
from nightstay.pledges.models import BedPledge, Home, SeatPledge
from nightstay.privacy.crypto import blind_index

from . import invariants

STEP = timedelta(minutes=5)
FIRST_PLAN = time(21, 0)
REPLAN_EVERY = timedelta(minutes=15)  # a coordinator looks at the alerts at most this often
NEWCOMER_PEOPLE = 50
Kind = NightEvent.Kind


@dataclass
class Report:
    scenario: str
    seed: int
    timeline: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    figures: dict = field(default_factory=dict)


class Rehearsal:
    """One night: ``play()`` returns its report; the database is left as it was."""

    def __init__(self, scenario: str, seed: int, time_limit: float = 1.0, people: int | None = None,
                 newcomers: int = NEWCOMER_PEOPLE, deterministic: bool = False):
        self.scenario, self.seed, self.time_limit, self.newcomers = scenario, seed, time_limit, newcomers
        self.deterministic = deterministic  # counted work per plan: the same night on any machine, however busy
        self.arrived: list[Party] = []  # registered since the last line of the timeline
        self.rng = random.Random(seed)
        self.doc = demo.make_night(scenario, seed, people)
        self.report = Report(scenario, seed)
        self.tickets: set[str] = set()
        self.changed = 0  # announced placements changed by re-plans
        self.decisions = 0  # events that asked for a decision

    # -- the play ---------------------------------------------------------------------------

    def play(self) -> Report:
        start = datetime.fromisoformat(self.doc["window"]["start"])
        with time_machine.travel(start, tick=False) as clock, \
                override_settings(PLAN_TIME_LIMIT=self.time_limit, PLAN_DETERMINISTIC=self.deterministic):
            with transaction.atomic():
                self.load()
                self._evening(clock, start)
                transaction.set_rollback(True)  # a rehearsal keeps nothing
        return self.report

    def _evening(self, clock, start: datetime) -> None:
        end = datetime.fromisoformat(self.doc["window"]["end"])
        first_plan = start.replace(hour=FIRST_PLAN.hour, minute=FIRST_PLAN.minute)
        schedule = self._schedule(first_plan, end)
        arrivals = sorted(self.doc["parties"], key=lambda p: p["waiting_since"])
        now, last_plan, planned = start, None, False
        while now <= end:
            clock.move_to(now)
            while arrivals and datetime.fromisoformat(arrivals[0]["waiting_since"]) <= now:
                self.arrive(arrivals.pop(0))
            if not planned and now >= first_plan:
                self.plan_and_announce(now, first=True)
                planned, last_plan = True, now
            if planned:
                self.move_cars(now)
                for when, what in [s for s in schedule if s[0] <= now]:
                    schedule.remove((when, what))
                    if what():
                        self._check(now)
                self._log_arrivals()
                if events.alerts(self.night) and now - last_plan >= REPLAN_EVERY:
                    self.plan_and_announce(now)
                    last_plan = now
            now += STEP
        self._figures()

    def _log(self, text: str) -> None:
        self.report.timeline.append(f"{timezone.localtime():%H:%M} {text}")

    def _check(self, now: datetime, fresh: bool = False) -> None:
        for problem in invariants.check(self.night, now, fresh):
            self.report.broken.append(f"{now:%H:%M} {problem}")

    # -- loading the demo night -------------------------------------------------------------

    def load(self) -> None:
        doc = self.doc
        day = date.fromisoformat(doc["window"]["start"][:10])
        mp = doc["hub"]["meeting_point"]
        self.hub = Hub.objects.create(name=f"Rehearsal {self.scenario} {self.seed}", slug=f"rehearsal-{self.seed}",
                                      meeting_point=doc["hub"]["name"], meeting_lat=mp["lat"], meeting_lon=mp["lon"],
                                      window_start=time(19, 0), window_end=time(1, 0))
        self.night = Night.for_date(self.hub, day)
        self.shelters = {s["id"]: Shelter.objects.create(
            hub=self.hub, name=s["name"], lat=s["location"]["lat"], lon=s["location"]["lon"], beds=s["beds"],
            reach=s["reach"], genders=",".join(s["accepts"]["genders"]), minors=s["accepts"]["minors"])
            for s in doc["shelters"]}
        password = make_password(None)

        def person(name: str, role: str) -> User:
            email = f"{name}.{self.seed}@rehearsal.test"  # one hub a seed: several may share a database
            return User(email_index=blind_index(email), email=email, first_name=name, phone="", password=password)

        self.coordinator = person("coordinator", Role.COORDINATOR)
        hosts = [person(f"host{i}", Role.HOST) for i in range(len(doc["hosts"]))]
        drivers = [person(f"driver{i}", Role.DRIVER) for i in range(len(doc["drivers"]))]
        User.objects.bulk_create([self.coordinator, *hosts, *drivers])
        self.drivers = drivers
        Membership.objects.bulk_create([Membership(user=self.coordinator, hub=self.hub, role=Role.COORDINATOR),
                                        *(Membership(user=u, hub=self.hub, role=Role.HOST) for u in hosts),
                                        *(Membership(user=u, hub=self.hub, role=Role.DRIVER) for u in drivers)])
        self.homes, beds = {}, []
        for user, h in zip(hosts, doc["hosts"]):
            home = Home(hub=self.hub, host=user, lat=h["location"]["lat"], lon=h["location"]["lon"], area="rehearsal",
                        address=f"{h['id']} Rehearsal street")
            self.homes[h["id"]] = home
            beds.append(BedPledge(home=home, beds=h["beds"], pickup=h["pickup"],
                                  genders=",".join(h["accepts"]["genders"]), minors=h["accepts"]["minors"],
                                  max_party=h["accepts"]["max_party"], languages=",".join(h["languages"]),
                                  ready_from=_clock(h["ready_from"]), latest_arrival=_clock(h["latest_arrival"]),
                                  welcomes_back=h["welcomes_back"], first_date=day))
        Home.objects.bulk_create(self.homes.values())
        BedPledge.objects.bulk_create(beds)
        SeatPledge.objects.bulk_create([SeatPledge(
            hub=self.hub, driver=user, seats=d["seats"], available_from=_clock(d["available_from"]),
            available_until=_clock(d["available_until"]), home_lat=round(d["home"]["lat"], 2),
            home_lon=round(d["home"]["lon"], 2), first_date=day) for user, d in zip(drivers, doc["drivers"])])

    def arrive(self, p: dict) -> Party:
        """A party registered at the park (as intake does: a newcomer after the announcement is an alert)."""
        ticket = "".join(self.rng.choice(TICKET_ALPHABET) for _ in range(4))
        while ticket in self.tickets:
            ticket = "".join(self.rng.choice(TICKET_ALPHABET) for _ in range(4))
        self.tickets.add(ticket)
        party = Party.objects.create(
            night=self.night, ticket=ticket, size=p["size"], gender=p["gender"], minor=p["minor"],
            vulnerable=p["vulnerable"], languages=",".join(p["languages"]), nights_outside=p.get("nights_outside", 0),
            returning_to=self.homes.get(p.get("returning_to") or ""), waiting_since=timezone.now())
        if self.night.status == Night.Status.ANNOUNCED:
            NightEvent.record(self.night, Kind.NEWCOMER, by=self.coordinator, ref=ticket, people=party.size)
            self.decisions += 1
            self.arrived.append(party)
        self.night.refresh_from_db()
        return party

    # -- planning as a coordinator does -----------------------------------------------------

    def plan_and_announce(self, now: datetime, first: bool = False) -> None:
        self.night.refresh_from_db()
        open_alerts = len(events.alerts(self.night))
        run = runs.start(self.night, self.coordinator)
        if run.status == run.Status.QUEUED:  # the rehearsal is its own worker: the task runs here
            runs.execute.call(str(run.pk))
        run = runs.proposal(self.night)
        if run is None or run.plan_json is None:
            self.report.broken.append(f"{now:%H:%M} the planner gave no plan")
            return
        diff = changes.between(self.night, run)
        before = changes.announced_places(self.night)
        announce.announce(self.night, by=self.coordinator)
        self.night.refresh_from_db()
        after = changes.announced_places(self.night)
        shown = {m.ticket for m in diff.moves}
        self.report.broken += [f"{now:%H:%M} {p}" for p in invariants.kept_or_shown(before, after, shown)]
        summary = run.plan_json["summary"]
        if first:
            self._log(f"plan announced: {summary['sheltered']} of {summary['people']} people placed")
        else:
            self.changed += diff.changed
            self._log(f"re-plan for {open_alerts} alerts: {summary['sheltered']} of {summary['people']} placed, "
                      f"{diff.changed} announced placements change, {len(diff.drivers)} run sheets, "
                      f"{len(diff.hosts)} host notices")
        self._walk_off(now)
        self._check(now, fresh=True)

    def _walk_off(self, now: datetime) -> None:
        """Told where to go, parties walk to the dormitory or leave with the host who picks them up."""
        self_homes = {p.home_id for p in BedPledge.objects.filter(home__hub=self.hub, pickup="self")}
        walk = {s.pk for s in self.shelters.values() if s.reach == "walk"}
        gone = Placement.objects.filter(night=self.night, announced=True, party__status=Party.Status.PLACED).filter(
            shelter__in=walk) | Placement.objects.filter(night=self.night, announced=True, home__in=self_homes,
                                                           party__status=Party.Status.PLACED,
                                                           arrive__lte=now + timedelta(minutes=30))
        Party.objects.filter(placement__in=gone).update(status=Party.Status.ON_THE_WAY)

    def move_cars(self, now: datetime) -> None:
        """Cars leave when their sheet says (drivers out leave nothing); drops when due; walkers arrive."""
        out = events.drivers_out(self.night)
        for trip in Trip.objects.filter(night=self.night, departed_at__isnull=True, depart__lte=now).exclude(
                driver__in=out).order_by("depart"):
            if events.depart(trip, by=trip.driver):
                self._check(now)
        for stop in Stop.objects.filter(trip__night=self.night, trip__departed_at__isnull=False,
                                        dropped_at__isnull=True).select_related("trip").order_by("trip", "order"):
            late = events.late_minutes(self.night, stop.trip.driver, stop.trip.departed_at)
            if stop.arrive + timedelta(minutes=late) <= now:
                events.drop(stop, by=stop.trip.driver)
        self._walk_off(now)
        done = Placement.objects.filter(night=self.night, stop__isnull=True, arrive__lte=now,
                                        party__status=Party.Status.ON_THE_WAY)
        Party.objects.filter(placement__in=done).update(status=Party.Status.ARRIVED)
        done.update(arrived_at=now)

    # -- what happens -----------------------------------------------------------------------

    def _schedule(self, first_plan: datetime, end: datetime) -> list:
        rng, at = self.rng, lambda a, b: first_plan + timedelta(minutes=rng.randint(a, b))
        plan = [(at(10, 20), self.absent_driver)]
        plan += [(at(30, 105), self.host_cancels) for _ in range(rng.randint(2, 3))]
        plan += [(at(20, 150), self.late_car) for _ in range(3)]
        plan += [(at(15, 150), self.party_leaves) for _ in range(3)]
        plan += [(at(20, 120), self.not_found)]
        extra = demo.make_night(self.scenario, self.seed + 10_000)["parties"]
        people, when = 0, first_plan + timedelta(minutes=90)  # 22:30
        for p in extra:
            if people >= self.newcomers:
                break
            people += p["size"]
            plan.append((when + timedelta(minutes=rng.randint(0, 60)), lambda p=p: self.newcomer(p)))
        return sorted(plan, key=lambda s: s[0])

    def newcomer(self, p: dict) -> bool:
        self.arrive(p)
        return True

    def _log_arrivals(self) -> None:
        if self.arrived:
            self._log(f"{len(self.arrived)} parties registered ({sum(p.size for p in self.arrived)} people)")
            self.arrived = []

    def absent_driver(self) -> bool:
        trips = list(Trip.objects.filter(night=self.night, departed_at__isnull=True).select_related("driver"))
        if not trips:
            return False
        driver = self.rng.choice(trips).driver
        event = events.driver_out(self.night, driver, Kind.DRIVER_ABSENT, by=self.coordinator)
        self.decisions += 1
        self._log(f"driver {driver.first_name} did not come ({event.people} people in their car)")
        return True

    def host_cancels(self) -> bool:
        counted = list(BedPledge.objects.filter(home__hub=self.hub, home__in=Placement.objects.filter(
            night=self.night, announced=True, arrived_at__isnull=True, party__status=Party.Status.PLACED)
            .values("home")).select_related("home__host").order_by("id"))
        counted = [p for p in counted if p.is_open_on(self.night.date)]
        if not counted:
            return False
        pledge = self.rng.choice(counted)
        pledge.tell_the_night(self.night.date)  # the host's own "Cancel tonight"
        pledge.cancel_night(self.night.date)
        self.decisions += 1
        self._log(f"host {pledge.home.host.first_name} cancelled")
        return True

    def late_car(self) -> bool:
        out = events.drivers_out(self.night)
        trips = [t for t in Trip.objects.filter(night=self.night, departed_at__isnull=False).select_related("driver")
                 if t.driver_id not in out and t.end == "meeting_point"]
        if not trips:
            return False
        trip, minutes = self.rng.choice(trips), self.rng.choice(events.LATE_STEPS)
        events.driver_late(self.night, trip.driver, minutes, by=trip.driver)
        self.decisions += 1
        self._log(f"driver {trip.driver.first_name} runs late +{minutes} min")
        return True

    def party_leaves(self) -> bool:
        waiting = list(Party.objects.filter(night=self.night, status__in=nightfile.IN_THE_PARK).order_by("ticket"))
        if not waiting:
            return False
        party = self.rng.choice(waiting)
        events.party_gone(party, Kind.PARTY_LEFT, by=self.coordinator)
        self._log(f"party {party.ticket} left the park")
        return True

    def not_found(self) -> bool:
        due = list(Placement.objects.filter(night=self.night, stop__trip__departed_at__isnull=True,
                                            party__status=Party.Status.PLACED).select_related("party")
                   .order_by("party__ticket"))
        if not due:
            return False
        party = self.rng.choice(due).party
        events.party_gone(party, Kind.PARTY_NOT_FOUND, by=self.coordinator)
        self.decisions += 1
        self._log(f"party {party.ticket} not at the pickup spot")
        return True

    # -- the night's figures ----------------------------------------------------------------

    def _figures(self) -> None:
        parties = Party.objects.filter(night=self.night)
        people = sum(p.size for p in parties.exclude(status=Party.Status.LEFT))
        sheltered = sum(p.size for p in parties.filter(status__in=(Party.Status.ON_THE_WAY, Party.Status.ARRIVED)))
        sheltered += sum(p.party.size for p in Placement.objects.filter(
            night=self.night, announced=True, party__status=Party.Status.PLACED).select_related("party"))
        km = sum(Trip.objects.filter(night=self.night, departed_at__isnull=False).values_list("km", flat=True))
        self.report.figures = {
            "people": people, "sheltered": sheltered, "from_scratch": self._from_scratch(),
            "events": self.decisions, "announced_changed": self.changed,
            "changed_per_event": round(self.changed / self.decisions, 2) if self.decisions else 0.0,
            "driver_km": round(km, 1),
        }

    def _from_scratch(self) -> int:
        """People the planner shelters planning the whole night at once, knowing everything that
        happened: every party that stayed (newcomers too), without the hosts who cancelled and
        the driver who did not come."""
        stayed = list(Party.objects.filter(night=self.night).exclude(status=Party.Status.LEFT))
        out = events.drivers_out(self.night)
        cancelled = {pid for pid, home in self.homes.items()
                     if not BedPledge.objects.get(home=home).is_open_on(self.night.date)}
        doc = {**self.doc, "fixed": [], "parties": [],
               "hosts": [h for h in self.doc["hosts"] if h["id"] not in cancelled],
               "drivers": [d for d, user in zip(self.doc["drivers"], self.drivers) if user.pk not in out]}
        for party in stayed:
            returning = next((hid for hid, home in self.homes.items() if home.pk == party.returning_to_id), None)
            doc["parties"].append({
                "id": party.ticket, "size": party.size, "gender": party.gender, "minor": party.minor,
                "vulnerable": party.vulnerable, "languages": party.language_list,
                "waiting_since": timezone.localtime(party.waiting_since).isoformat(),
                "returning_to": returning if returning not in cancelled else None,
                "nights_outside": party.nights_outside})
        stop = MaxWork.for_seconds(self.time_limit) if self.deterministic else MaxRuntime(self.time_limit)
        plan = solve(read_night(doc), stop).to_json()
        return plan["summary"]["sheltered"]


def _clock(iso: str) -> time:
    return datetime.fromisoformat(iso).time().replace(second=0, microsecond=0)
