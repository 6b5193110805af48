"""Two coordinators acting at once: the database decides, never an over-full host or a party placed twice.

These tests need real concurrent transactions, so they run on PostgreSQL only (set
``DATABASE_URL``); SQLite has no row locks and lets one writer in at a time anyway.
"""
from __future__ import annotations

import threading
import time as clock
from datetime import date, datetime, time
from unittest import mock, skipUnless
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.test import TransactionTestCase, override_settings

from nightstay.dispatch import announce
from nightstay.planning import moves, nightfile, pins, runs
from nightstay.dispatch.models import RunSheetGrant
from nightstay.planning.models import Placement, Trip
from nightstay.hubs.models import Hub, Night, Role, Shelter
from nightstay.intake.models import Party
from nightstay.planner.check import check_plan
from nightstay.planner.read import read_night
from nightstay.pledges.models import BedPledge, Home, SeatPledge

from .base import make_user

TODAY = date(2026, 11, 24)
BRUSSELS = ZoneInfo("Europe/Brussels")
SLOW = 0.3  # seconds each move takes to decide: wide enough for the two to overlap


@skipUnless(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL): concurrent transactions")
@override_settings(PLAN_TIME_LIMIT=0.1)
@time_machine.travel(datetime(2026, 11, 24, 21, 30, tzinfo=BRUSSELS), tick=True)  # during the night, whenever CI runs
class ConflictTests(TransactionTestCase):
    def setUp(self):
        self.hub = Hub.objects.create(name="Brussels", slug="brussels", meeting_point="Parc Maximilien",
                                      meeting_lat=50.8572, meeting_lon=4.3520, window_start=time(19),
                                      window_end=time(1))
        self.dormitory = Shelter.objects.create(hub=self.hub, name="Dormitory", lat=50.861, lon=4.358, beds=120)
        self.colette = make_user("colette@example.org", "Colette", self.hub, Role.COORDINATOR, totp=True)
        self.adele = make_user("adele@example.org", "Adèle", self.hub, Role.COORDINATOR, totp=True)
        hugo = make_user("hugo@example.org", "Hugo", self.hub, Role.HOST)
        dara = make_user("dara@example.org", "Dara", self.hub, Role.DRIVER)
        self.home = Home.objects.create(hub=self.hub, host=hugo, address="Rue du Trône 12", lat=50.8366, lon=4.368,
                                        area="Ixelles")
        BedPledge.objects.create(home=self.home, beds=1, pickup="driver", first_date=TODAY)  # the last bed
        SeatPledge.objects.create(hub=self.hub, driver=dara, seats=3, first_date=TODAY, home_lat=50.85, home_lon=4.4)
        self.night = Night.for_date(self.hub, TODAY)
        since = datetime(2026, 11, 24, 20, 0, tzinfo=BRUSSELS)
        for ticket in ("MENA", "MENC"):
            Party.objects.create(night=self.night, ticket=ticket, size=1, gender="m", waiting_since=since)
        runs.start(self.night, self.colette)
        self.dorm, self.bed = nightfile.shelter_id(self.dormitory), nightfile.home_id(self.home)
        for ticket in ("MENA", "MENC"):
            pins.move_party(self.night, ticket, self.dorm, self.colette)

    def at_once(self, *calls):
        """Run the calls in two threads released together; each move takes ``SLOW`` to decide."""
        barrier, outcomes = threading.Barrier(len(calls)), [None] * len(calls)
        real_move = moves.move

        def slow_move(*args, **kwargs):
            plan = real_move(*args, **kwargs)
            clock.sleep(SLOW)
            return plan

        def run(n, call):
            try:
                barrier.wait()
                call()
                outcomes[n] = "done"
            except pins.Refused as exc:
                outcomes[n] = str(exc)
            finally:
                connection.close()

        with mock.patch("nightstay.planning.pins.move", slow_move):
            threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=30)
        return outcomes

    def places(self) -> dict:
        run = runs.proposal(self.night)
        self.assertEqual(check_plan(read_night(run.night_json), run.plan_json).errors, ())
        return {p["party"]: p["place"] for p in run.plan_json["placements"]}

    def test_two_parties_for_the_last_bed(self):
        outcomes = self.at_once(lambda: pins.move_party(self.night, "MENA", self.bed, self.colette),
                                lambda: pins.move_party(self.night, "MENC", self.bed, self.adele))
        self.assertEqual(outcomes.count("done"), 1, outcomes)
        refusal = next(o for o in outcomes if o != "done")
        self.assertIn("people for 1 beds", refusal)
        self.assertEqual(Placement.objects.filter(home=self.home).count(), 1)
        self.assertEqual(list(self.places().values()).count(self.bed), 1)

    def test_the_same_party_moved_twice(self):
        outcomes = self.at_once(lambda: pins.move_party(self.night, "MENA", self.bed, self.colette),
                                lambda: pins.move_party(self.night, "MENA", None, self.adele))
        self.assertEqual(outcomes, ["done", "done"])
        self.assertLessEqual(Placement.objects.filter(party__ticket="MENA").count(), 1)
        places = self.places()
        run = runs.proposal(self.night).plan_json
        self.assertEqual(("MENA" in places) + ("MENA" in run["unplaced"]), 1)
        pinned = Placement.objects.filter(party__ticket="MENA").first()
        self.assertEqual(pinned is not None, "MENA" in places)

    def test_announced_twice_at_once(self):
        pins.move_party(self.night, "MENA", self.bed, self.colette)  # so that there is a trip
        self.at_once(lambda: announce.announce(self.night), lambda: announce.announce(self.night))
        plan = runs.proposal(self.night).plan_json
        self.assertEqual(len(plan["trips"]), 1)
        self.assertEqual(Trip.objects.count(), 1)
        self.assertEqual(Placement.objects.filter(announced=True).count(), len(plan["placements"]))
        self.assertEqual(RunSheetGrant.objects.count(), len({t["driver"] for t in plan["trips"]}))
