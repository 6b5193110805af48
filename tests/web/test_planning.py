"""Tonight's night document (no names, no addresses, valid by construction), planner runs, moves."""
from __future__ import annotations

import json
from datetime import date, time

from nightstay.planning import nightfile, runs
from nightstay.planning.models import Placement, PlanRun
from nightstay.planning.moves import MoveRefused, move
from nightstay.hubs.models import Night
from nightstay.intake.models import Party
from nightstay.planner.check import check_plan
from nightstay.planner.read import read_night
from nightstay.pledges.areas import coarse
from nightstay.pledges.models import BedPledge

from .test_board import TonightTestCase


class NightFileTests(TonightTestCase):
    def test_it_is_valid_and_holds_tonight(self):
        doc, ids = nightfile.build(self.night)
        night = read_night(doc)
        self.assertEqual({p.id for p in night.parties}, {"FAMY", "WUMA", "MENA", "MENC"})
        self.assertEqual(len(night.hosts), 2)
        self.assertEqual(len(night.drivers), 1)
        self.assertEqual(len(night.shelters), 1)
        self.assertEqual(ids.homes[nightfile.home_id(self.hugo_home)], self.hugo_home)
        # Planned at 21:00 (the test's clock): nothing still to decide leaves the park before now.
        self.assertEqual(doc["window"]["start"][:16], "2026-11-24T21:00")
        self.assertEqual(doc["window"]["end"], "2026-11-25T01:00:00+01:00")
        driver = doc["drivers"][0]
        self.assertEqual(driver["available_until"], "2026-11-25T00:30:00+01:00")  # after midnight
        self.assertEqual(driver["home"], {"lat": 50.85, "lon": 4.4})

    def test_it_names_nobody_and_locates_no_door(self):
        doc, _ = nightfile.build(self.night)
        text = json.dumps(doc, ensure_ascii=False)
        for secret in ("Hugo", "Béa", "Dara", "Rue du Trône", "Wavre", "Amal", "example.org", "+32",
                       str(self.hugo_home.pk), str(self.dara.pk)):
            self.assertNotIn(secret, text)
        hugo = next(h for h in doc["hosts"] if h["pickup"] == "driver")
        self.assertRegex(hugo["id"], r"^H-[0-9a-f]{12}$")
        self.assertEqual(hugo["location"], {"lat": self.hugo_home.lat, "lon": self.hugo_home.lon})  # as stored:
        self.assertEqual((hugo["location"]["lat"], hugo["location"]["lon"]),  # the centre of its 500 m cell
                         coarse(50.8366, 4.3680, self.hub.meeting_lat, self.hub.meeting_lon))
        self.assertRegex(doc["drivers"][0]["id"], r"^D-[0-9a-f]{12}$")

    def test_only_pledges_open_tonight(self):
        self.bea_beds.cancel_night(self.today)
        BedPledge.objects.filter(pk=self.hugo_beds.pk).update(first_date=date(2026, 11, 25))
        doc, _ = nightfile.build(self.night)
        self.assertEqual(doc["hosts"], [])

    def test_parties_who_left_or_went_are_not_waiting(self):
        Party.objects.filter(pk=self.man1.pk).update(status=Party.Status.LEFT)
        Party.objects.filter(pk=self.man2.pk).update(status=Party.Status.ARRIVED)
        doc, _ = nightfile.build(self.night)
        self.assertEqual({p["id"] for p in doc["parties"]}, {"FAMY", "WUMA"})

    def test_beds_taken_by_guests_on_the_way_are_not_offered_again(self):
        Placement.objects.create(night=self.night, party=self.woman, home=self.hugo_home, announced=True)
        Party.objects.filter(pk=self.woman.pk).update(status=Party.Status.ON_THE_WAY)
        doc, _ = nightfile.build(self.night)
        hugo = next(h for h in doc["hosts"] if h["id"] == nightfile.home_id(self.hugo_home))
        self.assertEqual(hugo["beds"], 1)

    def test_returning_guests_name_their_host_by_its_opaque_id(self):
        Party.objects.filter(pk=self.family.pk).update(returning_to=self.hugo_home)
        doc, _ = nightfile.build(self.night)
        family = next(p for p in doc["parties"] if p["id"] == "FAMY")
        self.assertEqual(family["returning_to"], nightfile.home_id(self.hugo_home))

    def test_pins_become_fixed(self):
        Placement.objects.create(night=self.night, party=self.family, home=self.hugo_home, pinned=True)
        doc, _ = nightfile.build(self.night)
        self.assertEqual(doc["fixed"], [{"party": "FAMY", "place": nightfile.home_id(self.hugo_home)}])

    def test_a_pin_no_plan_could_keep_is_not_passed_on(self):
        Placement.objects.create(night=self.night, party=self.family, home=self.hugo_home, pinned=True)
        Placement.objects.create(night=self.night, party=self.man1, home=self.hugo_home, pinned=True)  # mixing
        Placement.objects.create(night=self.night, party=self.woman, shelter=self.dormitory, pinned=True)  # men only
        doc, _ = nightfile.build(self.night)
        self.assertEqual(doc["fixed"], [{"party": "FAMY", "place": nightfile.home_id(self.hugo_home)}])
        read_night(doc)

    def test_a_pledge_the_format_cannot_say_is_left_out(self):
        BedPledge.objects.filter(pk=self.hugo_beds.pk).update(ready_from=time(23), latest_arrival=time(22))
        doc, _ = nightfile.build(self.night)
        self.assertEqual(len(doc["hosts"]), 1)

    def test_an_empty_night_gives_an_empty_plan(self):
        empty = Night.for_date(self.hub, date(2026, 11, 30))
        run = runs.start(empty, self.colette)  # the test backend runs the worker's task at once
        run.refresh_from_db()
        self.assertEqual(run.night_json["parties"], [])
        self.assertEqual(run.status, PlanRun.Status.DONE)
        self.assertEqual(run.plan_json["placements"], [])


class PlanningTests(TonightTestCase):
    def test_the_plan_stored_is_valid(self):
        run = self.plan_now()
        run.refresh_from_db()
        self.assertEqual(run.status, PlanRun.Status.DONE)
        verdict = check_plan(read_night(run.night_json), run.plan_json)
        self.assertEqual(verdict.errors, ())
        self.assertEqual(run.created_by, self.colette)

    def test_proposal_is_the_latest_finished_run(self):
        first = self.plan_now()
        PlanRun.objects.create(night=self.night, status=PlanRun.Status.RUNNING, night_json={})
        self.assertEqual(runs.proposal(self.night), PlanRun.objects.get(pk=first.pk))


class MoveTests(TonightTestCase):
    def setUp(self):
        super().setUp()
        self.run = self.plan_now()
        self.run.refresh_from_db()
        self.night_model = read_night(self.run.night_json)

    def test_a_move_gives_a_valid_plan(self):
        hugo, bea = nightfile.home_id(self.hugo_home), nightfile.home_id(self.bea_home)
        plan = self.run.plan_json
        for ticket, place in (("MENA", None), ("WUMA", None), ("MENA", hugo), ("WUMA", bea)):
            try:
                plan = move(self.night_model, plan, ticket, place)
            except MoveRefused:
                continue
            self.assertEqual(check_plan(self.night_model, plan).errors, ())
            where = {p["party"]: p["place"] for p in plan["placements"]}
            self.assertEqual(where.get(ticket), place)

    def test_a_car_place_gets_a_car(self):
        hugo = nightfile.home_id(self.hugo_home)
        plan = move(self.night_model, move(self.night_model, self.run.plan_json, "FAMY", None), "WUMA", None)
        plan = move(self.night_model, plan, "MENA", hugo)
        stops = [s for t in plan["trips"] for s in t["stops"]]
        self.assertEqual([(s["place"], s["parties"]) for s in stops if "MENA" in s["parties"]], [(hugo, ["MENA"])])

    def refusal(self, night, plan, ticket, place) -> tuple[str, dict]:
        with self.assertRaises(MoveRefused) as refused:
            move(night, plan, ticket, place)
        first = refused.exception.problems[0]
        return first.code, dict(first.values)

    def test_refusals_say_why(self):
        plan, dorm = self.run.plan_json, nightfile.shelter_id(self.dormitory)
        self.assertEqual(self.refusal(self.night_model, plan, "GONE", None), ("no_such_party", {"party": "GONE"}))
        self.assertEqual(self.refusal(self.night_model, plan, "MENA", "H-000000000000"),
                         ("no_such_place", {"party": "MENA", "place": "H-000000000000"}))
        self.assertEqual(self.refusal(self.night_model, plan, "WUMA", dorm),
                         ("gender_refused", {"party": "WUMA", "place": dorm, "gender": "f"}))

    def test_a_car_place_without_a_car_is_refused(self):
        doc = {**self.run.night_json, "drivers": []}
        night = read_night(doc)
        plan = move(night, {**self.run.plan_json, "trips": [],
                            "placements": [p for p in self.run.plan_json["placements"]
                                           if p["place"] != nightfile.home_id(self.hugo_home)]}, "MENA", None)
        hugo = nightfile.home_id(self.hugo_home)
        self.assertEqual(self.refusal(night, plan, "MENA", hugo), ("no_driver", {"party": "MENA", "place": hugo}))
