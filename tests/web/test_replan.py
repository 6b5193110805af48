"""Planning again at time T: the night file holds only what is still to decide (NIGHT-FORMAT.md,
"Planning again during the night"), events change it, the board shows the difference."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import time_machine
from django.urls import reverse

from nightstay.dispatch import announce
from nightstay.hubs.models import Night, NightClosed, NightEvent, Role
from nightstay.intake.models import Party
from nightstay.demo import invariants
from nightstay.planner.night import Location, Travel
from nightstay.planner.read import read_night
from nightstay.planning import changes, events, nightfile, runs
from nightstay.planning.models import Placement, Trip
from nightstay.pledges.models import BedPledge, Home

from .base import make_user
from .test_board import BRUSSELS, TonightTestCase


def placements(plan: dict) -> list[dict]:
    return sorted(({"party": p["party"], "place": p["place"]} for p in plan["placements"]),
                  key=lambda p: p["party"])


class ReplanNightFileTests(TonightTestCase):
    def setUp(self):
        super().setUp()
        self.plan_now()
        self.run = runs.proposal(self.night)
        announce.announce(self.night)

    def test_nothing_changed_gives_announced_equal_to_the_plan(self):
        doc, _ids = nightfile.build(self.night)
        read_night(doc)
        self.assertEqual(sorted(doc["announced"], key=lambda p: p["party"]), placements(self.run.plan_json))
        self.assertEqual(doc["fixed"], [])  # announced is not pinned: a plan may change it, at a cost

    def test_after_a_departure_the_driver_is_available_when_back(self):
        trip = Trip.objects.filter(driver=self.dara).order_by("seq").first()
        self.assertIsNotNone(trip, "the plan needs a car for this test")
        events.depart(trip)
        trip.refresh_from_db()
        doc, _ids = nightfile.build(self.night)
        (driver,) = doc["drivers"]
        back = nightfile.back_at_park(trip, datetime.fromisoformat(doc["window"]["start"]))
        self.assertEqual(datetime.fromisoformat(driver["available_from"]), back)
        self.assertGreater(back, trip.departed_at)
        if trip.end == "meeting_point":
            self.assertEqual(back, trip.end_at)
        gone = {p.party.ticket for p in Placement.objects.filter(stop__trip=trip)}
        self.assertFalse(gone & {p["id"] for p in doc["parties"]})
        self.assertFalse(gone & {a["party"] for a in doc.get("announced", [])})

    def test_a_late_driver_is_back_later(self):
        trip = Trip.objects.filter(driver=self.dara).order_by("seq").first()
        self.assertIsNotNone(trip)
        events.depart(trip)
        trip.refresh_from_db()
        events.driver_late(self.night, self.dara, 20)
        doc, _ids = nightfile.build(self.night)
        back = nightfile.back_at_park(trip, datetime.fromisoformat(doc["window"]["start"]), 20)
        self.assertEqual(datetime.fromisoformat(doc["drivers"][0]["available_from"]), back + timedelta(minutes=20))

    def test_a_driver_on_the_way_home_is_counted_from_home_not_from_the_last_stop(self):
        """Called back after the last drop, a driver is somewhere between that stop and home: a
        plan made then cannot count them at the park sooner than home and back again (82808b7
        counted them from the stop behind them, so a new trip could leave before they got there)."""
        trip = Trip.objects.filter(driver=self.dara).order_by("seq").first()
        self.assertIsNotNone(trip, "the plan needs a car for this test")
        events.depart(trip)
        last = trip.stops.select_related("home", "shelter").order_by("-order").first()
        travel, where = Travel(), last.home or last.shelter
        stop, home = Location(where.lat, where.lon), Location(self.dara_seats.home_lat, self.dara_seats.home_lon)
        park = Location(self.hub.meeting_lat, self.hub.meeting_lon)
        dropped = last.arrive + timedelta(seconds=travel.drop_seconds)
        at_home = dropped + timedelta(seconds=travel.drive_seconds(stop, home))
        Trip.objects.filter(pk=trip.pk).update(end="home", end_at=at_home)  # the sheet says "then home"
        halfway = dropped + (at_home - dropped) / 2 + timedelta(minutes=1)
        doc, _ids = nightfile.build(self.night, at=halfway)
        (driver,) = doc["drivers"]
        back = at_home + timedelta(seconds=travel.drive_seconds(home, park))
        self.assertGreaterEqual(datetime.fromisoformat(driver["available_from"]), back.replace(microsecond=0))
        # Planned and announced then, the run sheet turns "then home" into "back to the park" no
        # sooner, and any trip after it leaves once they are there.
        # A woman arrives; a new host takes guests by car: Dara is the only car.
        Party.objects.create(night=self.night, ticket="NEWF", size=2, gender="f", waiting_since=halfway)
        hana = make_user("hana@example.org", "Hana", self.hub, Role.HOST)
        BedPledge.objects.create(home=Home.objects.create(hub=self.hub, host=hana, address="Rue Haute 1, 1000 Bruxelles",
                                                          lat=50.8400, lon=4.3480, area="Marolles"),
                                 beds=2, pickup="driver", first_date=self.today, ready_from=time(21),
                                 latest_arrival=time(23, 59))
        with time_machine.travel(halfway):
            self.plan_now()
            announce.announce(self.night)
        first, second = Trip.objects.filter(driver=self.dara).order_by("seq")
        self.assertEqual(first.end, "meeting_point")
        self.assertGreaterEqual(first.end_at, back - timedelta(seconds=60))
        self.assertGreaterEqual(second.depart, first.end_at - timedelta(seconds=60))
        # the drive back from home counts in the night's kilometres
        self.assertAlmostEqual(first.km, trip.km + travel.km(home, park), delta=0.1)
        self.assertEqual(invariants.check(self.night, halfway, fresh=True), [])

    def test_replanning_never_gives_a_trip_before_the_first_is_back(self):
        """The issue's bug: a second trip leaving at 20:26, before the first (20:42) was back."""
        first = Trip.objects.filter(driver=self.dara).order_by("seq").first()
        events.depart(first)
        Party.objects.create(night=self.night, ticket="NEWM", size=1, gender="m",
                             waiting_since=datetime(2026, 11, 24, 21, 0, tzinfo=BRUSSELS))
        self.plan_now()
        announce.announce(self.night)
        trips = list(Trip.objects.filter(driver=self.dara).order_by("seq"))
        for before, after in zip(trips, trips[1:]):
            self.assertGreaterEqual(after.depart, before.end_at - timedelta(seconds=60))
            self.assertGreaterEqual(after.depart, first.departed_at - timedelta(seconds=60))

    def test_an_absent_driver_is_out(self):
        events.driver_out(self.night, self.dara, NightEvent.Kind.DRIVER_ABSENT)
        doc, _ids = nightfile.build(self.night)
        self.assertEqual(doc["drivers"], [])
        self.assertTrue(events.alerts(self.night))

    def test_a_cancelled_host_is_out_and_returning_to_it_is_nulled(self):
        Party.objects.filter(pk=self.man1.pk).update(returning_to=self.hugo_home)
        self.hugo_beds.tell_the_night(self.today)
        self.hugo_beds.cancel_night(self.today)
        doc, _ids = nightfile.build(self.night)
        hugo = nightfile.home_id(self.hugo_home)
        self.assertNotIn(hugo, {h["id"] for h in doc["hosts"]})
        self.assertIsNone(next(p for p in doc["parties"] if p["id"] == "MENA")["returning_to"])
        self.assertNotIn(hugo, {a["place"] for a in doc.get("announced", [])})

    def test_a_host_keeps_free_beds_and_narrows_to_whom_it_received(self):
        placement = Placement.objects.filter(home=self.hugo_home).select_related("party").first()
        self.assertIsNotNone(placement)
        Party.objects.filter(pk=placement.party_id).update(status=Party.Status.ARRIVED)
        doc, _ids = nightfile.build(self.night)
        hugo = next((h for h in doc["hosts"] if h["id"] == nightfile.home_id(self.hugo_home)), None)
        if placement.party.size >= self.hugo_beds.beds:
            self.assertIsNone(hugo)
            return
        self.assertEqual(hugo["beds"], self.hugo_beds.beds - placement.party.size)
        if placement.party.gender == "m":
            self.assertEqual(hugo["accepts"]["genders"], ["m"])
        else:
            self.assertNotIn("m", hugo["accepts"]["genders"])

    def test_a_full_dormitory_is_out(self):
        events.shelter_full(self.night, self.dormitory)
        doc, _ids = nightfile.build(self.night)
        self.assertNotIn(nightfile.shelter_id(self.dormitory), {s["id"] for s in doc["shelters"]})

    def test_the_window_starts_at_T(self):
        with time_machine.travel(datetime(2026, 11, 24, 22, 30, 40, tzinfo=BRUSSELS), tick=False):
            doc, _ids = nightfile.build(self.night)
        self.assertEqual(doc["window"]["start"], "2026-11-24T22:30:00+01:00")
        for d in doc["drivers"]:
            self.assertGreaterEqual(d["available_from"], doc["window"]["start"])

    def test_a_party_not_found_leaves_its_car_and_the_night(self):
        placement = Placement.objects.filter(stop__isnull=False).select_related("party").first()
        self.assertIsNotNone(placement)
        events.party_gone(placement.party, NightEvent.Kind.PARTY_NOT_FOUND)
        self.assertFalse(Placement.objects.filter(pk=placement.pk).exists())
        doc, _ids = nightfile.build(self.night)
        self.assertNotIn(placement.party.ticket, {p["id"] for p in doc["parties"]})

    def test_the_board_shows_the_replan_against_what_was_announced_and_announce_applies_it(self):
        self.hugo_beds.tell_the_night(self.today)
        self.hugo_beds.cancel_night(self.today)
        at_hugo = set(Placement.objects.filter(home=self.hugo_home).values_list("party__ticket", flat=True))
        self.plan_now()
        diff = changes.between(self.night, runs.proposal(self.night))
        moved = {m.ticket for m in diff.moves if m.before}
        self.assertLessEqual(at_hugo, moved)  # the cancelled host's guests move; the planner may move more
        before = changes.announced_places(self.night)
        self.log_in(self.colette)
        board = self.client.get(reverse("board", args=["brussels"]))
        self.assertContains(board, "Against what was announced")
        self.assertContains(board, "Host notices that change:")
        self.client.post(reverse("announce", args=["brussels"]))
        self.assertFalse(Placement.objects.filter(home=self.hugo_home).exists())
        after = changes.announced_places(self.night)
        self.assertEqual({t for t in before if after.get(t, ("",))[0] != before[t][0]}, moved)  # shown = applied
        self.assertEqual(events.alerts(self.night), [])

    def test_a_coordinator_reports_a_driver_absent_from_the_board(self):
        self.log_in(self.colette)
        r = self.client.post(reverse("night_event", args=["brussels"]),
                             {"kind": "driver_absent", "ref": str(self.dara.pk)}, headers={"HX-Request": "true"})
        self.assertContains(r, "a driver did not come")
        self.assertTrue(NightEvent.objects.filter(kind="driver_absent", driver=self.dara, by=self.colette).exists())
        r = self.client.post(reverse("night_event", args=["brussels"]), {"kind": "party_left", "ref": "ZZZZ"},
                             headers={"HX-Request": "true"})
        self.assertContains(r, "No party ZZZZ waiting tonight.")

    def test_a_closed_night_refuses_what_would_change_it(self):
        Night.objects.filter(pk=self.night.pk).update(status=Night.Status.CLOSED)
        self.night.refresh_from_db()
        with self.assertRaises(NightClosed):
            events.driver_late(self.night, self.dara, 10)
        self.log_in(self.colette)
        r = self.client.post(reverse("intake:intake", args=["brussels"]), {"size_choice": "1", "gender": "m", "vulnerable_why": "", "nights_outside": "0"})
        self.assertContains(r, "Tonight is closed")
        self.assertFalse(Party.objects.filter(night=self.night, status="waiting").exclude(
            ticket__in=["FAMY", "WUMA", "MENA", "MENC"]).exists())


class NewcomerTests(TonightTestCase):
    def test_a_party_registered_after_the_announcement_is_an_alert(self):
        self.plan_now()
        announce.announce(self.night)
        self.log_in(self.colette)
        self.client.post(reverse("intake:intake", args=["brussels"]), {"size_choice": "1", "gender": "m", "vulnerable_why": "", "nights_outside": "0"})
        event = NightEvent.objects.get(kind="newcomer")
        self.assertEqual(event.people, 1)
        self.assertTrue(events.alerts(self.night))
        self.assertIn(event.ref, {p["id"] for p in nightfile.build(self.night)[0]["parties"]})


class RunSheetLateTests(TonightTestCase):
    def test_one_tap_running_late(self):
        from nightstay.dispatch.models import RunSheetGrant
        self.plan_now()
        announce.announce(self.night)
        grant = RunSheetGrant.objects.get(driver=self.dara)
        r = self.client.post(reverse("running_late", args=[grant.token()]), {"minutes": "20"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(events.late_minutes(self.night, self.dara), 20)
        self.assertContains(self.client.get(reverse("run_sheet", args=[grant.token()])), "run 20 minutes late")
        r = self.client.post(reverse("running_late", args=[grant.token()]), {"minutes": "7"})
        self.assertEqual(r.status_code, 409)
        self.assertIsNotNone(runs.proposal(self.night))
