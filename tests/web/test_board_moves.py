"""A coordinator pins a party through replanning or moves it; a move that breaks a rule is refused."""
from __future__ import annotations

from nightstay.planning import runs
from nightstay.planning.models import Placement, PlanRun
from nightstay.planning.nightfile import home_id, shelter_id
from nightstay.pledges.models import BedPledge

from .test_board import TonightTestCase


class PinAndMoveTests(TonightTestCase):
    def setUp(self):
        super().setUp()
        self.plan_now()
        self.log_in(self.colette)

    def test_pin_keeps_a_placement_through_replanning(self):
        place = self.place_of("WUMA")
        r = self.client.post(self.url("pin"), {"party": "WUMA"}, headers={"HX-Request": "true"})
        self.assertEqual(r.status_code, 200)
        pin = Placement.objects.get(party=self.woman)
        self.assertTrue(pin.pinned)
        self.assertFalse(pin.announced)
        self.plan_now()
        run = runs.proposal(self.night)
        self.assertIn({"party": "WUMA", "place": place}, run.night_json["fixed"])
        self.assertEqual(self.place_of("WUMA"), place)

    def test_pin_of_an_unknown_party_is_refused(self):
        r = self.client.post(self.url("pin"), {"party": "ZZZZ"}, headers={"HX-Request": "true"})
        self.assertContains(r, "no place in the plan")
        self.assertFalse(Placement.objects.exists())

    def test_move_takes_a_party_out_and_back(self):
        r = self.client.post(self.url("move"), {"party": "mena", "place": "-"}, headers={"HX-Request": "true"})
        self.assertNotContains(r, "role=\"alert\"")
        self.assertIn("MENA", runs.proposal(self.night).plan_json["unplaced"])
        dorm = shelter_id(self.dormitory)
        self.client.post(self.url("move"), {"party": "MENA", "place": dorm}, headers={"HX-Request": "true"})
        self.assertEqual(self.place_of("MENA"), dorm)
        self.assertTrue(Placement.objects.get(party=self.man1).pinned)

    def test_a_move_that_breaks_a_rule_is_refused_with_the_rule(self):
        family_home = self.place_of("FAMY")
        before = runs.proposal(self.night)
        r = self.client.post(self.url("move"), {"party": "MENA", "place": family_home},
                             headers={"HX-Request": "true"})
        self.assertContains(r, 'role="alert"')
        self.assertContains(r, "Ixelles")  # the place by its name, not its id
        self.assertContains(r, 'value="MENA"')  # what was typed is still there
        self.assertEqual(runs.proposal(self.night), before)
        self.assertFalse(Placement.objects.exists())

    def test_a_woman_is_not_moved_to_the_mens_dormitory(self):
        r = self.client.post(self.url("move"), {"party": "WUMA", "place": shelter_id(self.dormitory)},
                             headers={"HX-Request": "true"})
        self.assertContains(r, "takes no women")  # the rule in words, not the planner's codes

    def test_bad_input_re_shows_the_form(self):
        r = self.client.post(self.url("move"), {"party": "NOPE", "place": "H-nowhere"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "No party with this ticket")
        self.assertContains(r, 'value="NOPE"')

    def test_move_without_a_plan(self):
        PlanRun.objects.all().delete()
        r = self.client.post(self.url("move"), {"party": "MENA", "place": "-"})
        self.assertRedirects(r, self.url("board"))


class MovePinnedTests(TonightTestCase):
    def test_a_pinned_party_can_still_be_moved_after_replanning(self):
        self.plan_now()
        self.log_in(self.colette)
        self.client.post(self.url("pin"), {"party": "MENA"})
        self.plan_now()
        self.assertIn("MENA", [f["party"] for f in runs.proposal(self.night).night_json["fixed"]])
        r = self.client.post(self.url("move"), {"party": "MENA", "place": "-"}, headers={"HX-Request": "true"})
        self.assertNotContains(r, 'role="alert"')
        run = runs.proposal(self.night)
        self.assertIn("MENA", run.plan_json["unplaced"])
        self.assertNotIn("MENA", [f["party"] for f in run.night_json["fixed"]])
        self.assertFalse(Placement.objects.filter(party=self.man1).exists())

    def test_a_party_moved_after_the_announcement_is_announced_again_there(self):
        BedPledge.objects.filter(pk=self.hugo_beds.pk).update(beds=3)
        Placement.objects.create(night=self.night, party=self.woman, home=self.bea_home, pinned=True)
        self.plan_now()
        from nightstay.dispatch import announce
        announce.announce(self.night)
        self.plan_now()
        self.log_in(self.colette)
        hugo = home_id(self.hugo_home)
        r = self.client.post(self.url("move"), {"party": "WUMA", "place": hugo}, headers={"HX-Request": "true"})
        self.assertNotContains(r, 'role="alert"')
        placement = Placement.objects.get(party=self.woman)
        self.assertEqual((placement.home, placement.announced, placement.pinned), (self.hugo_home, False, True))
        self.assertIn({"party": "WUMA", "place": hugo}, runs.proposal(self.night).night_json["fixed"])
        announce.announce(self.night)
        placement.refresh_from_db()
        self.assertEqual((placement.home, placement.announced), (self.hugo_home, True))
        self.assertIsNotNone(placement.stop)
