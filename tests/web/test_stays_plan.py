"""The planner never places a stay's guest twice (issue 12, part 1).

It sees the guest once at most: on the night a placement became a stay, as that placement
pinned (``fixed``); on the stay's other nights not at all, and the host's beds less the
guest's. Each night is planned by the real path (``runs.start``: night file, worker task,
solver) with more men waiting than beds, announced, and every plan is judged by the format's
reference checker (``check_plan.py``).
"""
from __future__ import annotations

from datetime import timedelta

from django.db.models import Sum
from django.test import override_settings
from django.urls import reverse

from nightstay.dispatch import announce
from nightstay.intake.models import Party
from nightstay.planning import nightfile, runs, stays
from nightstay.planning.models import Placement, PlanRun
from tests.planner.reference import assert_valid

from .test_stays import StayTestCase, evening

WAITING = 7  # men at the park each night: more than the beds Hugo, Béa and the dormitory take (Bea 2, Hugo 3)


@override_settings(PLAN_TIME_LIMIT=0.3)
class StayGuestPlannedOnceTests(StayTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.dormitory.beds = 1
        cls.dormitory.save()

    def plan_and_announce(self, night) -> tuple[dict, dict]:
        for n in range(WAITING):
            party = Party(night=night, size=1, gender="m", waiting_since=night.start + timedelta(minutes=n))
            party.save_with_new_ticket()
        run = runs.start(night, self.colette)
        run.refresh_from_db()
        self.assertEqual(run.status, PlanRun.Status.DONE, run.error)
        assert_valid(run.night_json, run.plan_json)
        announce.announce(night)
        return run.night_json, run.plan_json

    def at_hugo(self, night) -> int:
        return Placement.objects.filter(night=night, home=self.hugo_home).aggregate(n=Sum("party__size"))["n"]

    def test_the_planner_never_places_a_stays_guest_twice(self):
        clock = self.at(evening(24, 21))
        night = self.hub.tonight()
        placement = self.placed_with_hugo(night)
        stay = stays.make(placement, 2)
        hugo = nightfile.home_id(self.hugo_home)

        # The first night: the guest is in the night once, as a fixed placement at Hugo's.
        doc, plan = self.plan_and_announce(night)
        self.assertEqual([p["id"] for p in doc["parties"]].count(stay.ticket), 1)
        self.assertIn({"party": stay.ticket, "place": hugo}, doc["fixed"])
        self.assertEqual(next(h["beds"] for h in doc["hosts"] if h["id"] == hugo), 3)  # not held a second time
        self.assertEqual([p for p in plan["placements"] if p["party"] == stay.ticket],
                         [{"party": stay.ticket, "place": hugo, "arrive": plan_arrival(plan, stay.ticket)}])
        self.assertNotIn(stay.ticket, plan["unplaced"])
        self.assertLessEqual(self.at_hugo(night), 3)
        # On the board, a guest the plan put in a home is one tap (and a number of nights) from a
        # stay; the stay's own guest is not offered it twice.
        self.log_in(self.colette)
        board = reverse("board", kwargs={"hub": "brussels"})
        other = Placement.objects.filter(night=night, home__isnull=False, stay__isnull=True).first()
        r = self.client.get(f"{board}?p={other.party.ticket}")
        self.assertContains(r, f'<input type="hidden" name="placement" value="{other.pk}">')
        r = self.client.get(f"{board}?p={stay.ticket}")
        self.assertNotContains(r, "Make a stay")

        # The next two nights: not in the night at all, and Hugo offers his beds less the guest's.
        for day in (25, 26):
            clock.move_to(evening(day, 21))
            night = self.hub.tonight()
            doc, plan = self.plan_and_announce(night)
            guest = Party.objects.get(night=night, status=Party.Status.STAYING)
            tickets = {p["id"] for p in doc["parties"]}
            self.assertNotIn(guest.ticket, tickets)
            self.assertNotIn(guest.ticket, {p["party"] for p in plan["placements"]} | set(plan["unplaced"]))
            self.assertEqual(next(h["beds"] for h in doc["hosts"] if h["id"] == hugo), 2)
            self.assertEqual(len(tickets), WAITING)
            self.assertEqual(Placement.objects.filter(party=guest).count(), 1)
            self.assertLessEqual(self.at_hugo(night), 3, day)  # the pledge's three beds, the guest's among them
            self.assertEqual(plan["summary"]["sheltered"], 2 + 2 + 1, day)  # every free bed used, none twice


def plan_arrival(plan: dict, ticket: str) -> str:
    return next(p["arrive"] for p in plan["placements"] if p["party"] == ticket)
