"""Stays (issue 12, part 1): a guest's nights with one host, straight there, out of the park's queue.

- a three-night stay holds the bed and keeps the guest out of the queue for three nights and
  not a fourth;
- an ended stay leaves no link between guest and host in a dump;
- who may make, book and end one (a coordinator; a host for a guest of their own), and what
  is refused with a clear message;
- the night's figures count the stay's nights.
The planner's side (never placed twice) is in test_stays_plan.py.
"""
from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import call_command
from django.urls import reverse

from nightstay.figures.models import NightFigures
from nightstay.hubs.models import Night
from nightstay.intake.models import Party
from nightstay.planning import nightfile, stays
from nightstay.planning.models import Placement, Stay
from nightstay.pledges.models import BedPledge, Recurrence, SeatPledge

from .base import HubTestCase

BRUSSELS = ZoneInfo("Europe/Brussels")
NICKNAME = "Tewoldemedhin"  # long: no chance match in a dump


def evening(day: int, hour: int = 20) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=BRUSSELS)


class StayTestCase(HubTestCase):
    """Hugo pledges three beds every night (a driver brings guests), Béa two (she picks up), Dara drives."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        until = date(2026, 12, 4)
        cls.hugo_beds = BedPledge.objects.create(home=cls.hugo_home, beds=3, pickup="driver", first_date=cls.today,
                                                 recurrence=Recurrence.DAILY, until=until, max_party=3,
                                                 ready_from=time(21), latest_arrival=time(23, 30))
        cls.bea_beds = BedPledge.objects.create(home=cls.bea_home, beds=2, pickup="self", first_date=cls.today,
                                                recurrence=Recurrence.DAILY, until=until,
                                                ready_from=time(21), latest_arrival=time(23, 30))
        SeatPledge.objects.create(hub=cls.hub, driver=cls.dara, seats=3, first_date=cls.today,
                                  recurrence=Recurrence.DAILY, until=until, available_from=time(20, 30),
                                  available_until=time(0, 30), home_lat=50.85, home_lon=4.40)

    def at(self, moment: datetime):
        traveller = time_machine.travel(moment, tick=False)
        clock = traveller.start()
        self.addCleanup(traveller.stop)
        return clock

    def url(self, name: str, **kwargs) -> str:
        return reverse(name, kwargs={"hub": "brussels", **kwargs})

    def queue(self) -> set[str]:
        """The tickets of tonight's queue, as intake lists it."""
        self.log_in(self.colette)
        r = self.client.get(reverse("intake:intake", args=["brussels"]) + "?all=1")
        self.assertEqual(r.status_code, 200)
        return {p.ticket for p in r.context["rows"]}

    def hugo_in_file(self, night: Night) -> dict | None:
        doc, _ = nightfile.build(night)
        return next((h for h in doc["hosts"] if h["id"] == nightfile.home_id(self.hugo_home)), None)

    def placed_with_hugo(self, night: Night) -> Placement:
        """A man registered tonight, placed with Hugo by an announced plan."""
        party = Party(night=night, size=1, gender="m", languages="ti", nickname=NICKNAME, waiting_since=night.start)
        party.save_with_new_ticket()
        Party.objects.filter(pk=party.pk).update(status=Party.Status.PLACED)
        return Placement.objects.create(night=night, party=party, home=self.hugo_home, announced=True,
                                        arrive=night.start + timedelta(hours=2))

    def book(self, first: date, nights: int, size: int = 1) -> Stay:
        return stays.book(self.hugo_home, first, nights, Party(size=size, gender="m", nickname=NICKNAME))


class ThreeNightStayTests(StayTestCase):
    def test_a_three_night_stay_holds_the_bed_and_keeps_the_guest_out_of_the_queue_for_three_nights_not_a_fourth(self):
        traveller = self.at(evening(24, 18))
        stay = self.book(date(2026, 11, 24), 3, size=2)
        for day in (24, 25, 26):
            traveller.move_to(evening(day))
            night = self.hub.tonight()
            guest = Party.objects.get(night=night, placement__home=self.hugo_home)
            self.assertEqual((guest.status, guest.size, guest.ticket), (Party.Status.STAYING, 2, stay.ticket))
            self.assertNotIn(guest.ticket, self.queue(), day)
            self.assertEqual(self.hugo_in_file(night)["beds"], 1, day)  # 3 pledged, 2 held
            doc, _ = nightfile.build(night)
            self.assertNotIn(guest.ticket, {p["id"] for p in doc["parties"]}, day)
            r = self.client.get(self.url("board"))
            self.assertContains(r, "1 party straight to their host tonight (2 people)")
            self.assertNotContains(r, stay.ticket)  # neither waiting nor in the plan
            r = self.client.get(self.url("stays"))
            self.assertContains(r, f'<span class="code">{stay.ticket}</span> 2 · Hugo (Ixelles)')
        traveller.move_to(evening(27))
        call_command("purge", stdout=StringIO())  # its last night is over: the stay goes on its own
        self.assertFalse(Stay.objects.exists())
        night = self.hub.tonight()
        self.assertFalse(Party.objects.filter(night=night).exists())
        self.assertEqual(self.hugo_in_file(night)["beds"], 3)
        # The fourth night the guest comes back through the park like anyone: in the queue, planned.
        self.log_in(self.colette)
        self.client.post(reverse("intake:intake", args=["brussels"]), {"size_choice": "2", "gender": "m",
                                                                        "nights_outside": "0"})
        ticket = Party.objects.get(night=night).ticket
        self.assertIn(ticket, self.queue())
        doc, _ = nightfile.build(night)
        self.assertIn(ticket, {p["id"] for p in doc["parties"]})

    def test_the_host_sees_the_stay_guest_coming_on_their_own(self):
        self.at(evening(24, 18))
        stay = self.book(date(2026, 11, 25), 2)
        self.log_in(self.hugo)
        r = self.client.get(self.url("host_tonight"))
        self.assertContains(r, stay.ticket)  # booked ahead: listed, with its End button
        self.at(evening(25))
        self.log_in(self.hugo)
        r = self.client.get(self.url("host_tonight"))
        self.assertContains(r, "they come straight to you")
        self.assertNotContains(r, "They arrived")  # a stay's guest is no party of the park's plan

    def test_the_figures_count_the_stays_nights(self):
        self.at(evening(25))
        self.book(date(2026, 11, 25), 2, size=2)
        night = self.hub.tonight()
        counts = NightFigures.count(night)
        self.assertEqual((counts["people"], counts["sheltered_hosts"], counts["stay_nights"]), (2, 2, 2))
        self.log_in(self.colette)
        r = self.client.post(self.url("close_night"))
        self.assertEqual(r.status_code, 302)
        self.assertEqual(NightFigures.objects.get(hub=self.hub, date=night.date).stay_nights, 2)
        r = self.client.get(self.url("figures"))
        self.assertContains(r, "2 of them on a stay, straight to a host")


class FromPlacementTests(StayTestCase):
    def test_a_coordinator_makes_a_stay_from_tonights_placement_in_one_tap(self):
        traveller = self.at(evening(24, 22))
        night = self.hub.tonight()
        placement = self.placed_with_hugo(night)
        self.log_in(self.colette)
        r = self.client.get(self.url("stays"))
        self.assertContains(r, f'<option value="{placement.pk}">{placement.party.ticket} → Hugo (Ixelles)</option>')
        r = self.client.post(self.url("make_stay"), {"placement": placement.pk, "more": "2", "pickup": "direct",
                                                     "back": "stays"}, follow=True)
        self.assertEqual(r.redirect_chain[-1][0], self.url("stays"))
        self.assertContains(r, "stays until the night of")
        stay = Stay.objects.get()
        self.assertEqual((stay.first_night, stay.last_night, stay.ticket),
                         (date(2026, 11, 24), date(2026, 11, 26), placement.party.ticket))
        placement.refresh_from_db()
        self.assertTrue(placement.pinned)  # tonight it is the planner's fixed placement
        traveller.move_to(evening(25))
        guest = Party.objects.get(night=self.hub.tonight(), placement__stay=stay)
        self.assertEqual((guest.ticket, guest.nickname, guest.languages), (stay.ticket, NICKNAME, "ti"))

    def test_the_host_keeps_a_guest_and_ends_the_stay_with_a_second_tap(self):
        self.at(evening(24, 22))
        placement = self.placed_with_hugo(self.hub.tonight())
        self.log_in(self.hugo)
        r = self.client.get(self.url("host_tonight"))
        self.assertContains(r, "Keep them more nights")
        self.client.post(self.url("make_stay"), {"placement": placement.pk, "more": "1", "pickup": "host"})
        stay = Stay.objects.get()
        self.assertEqual(stay.pickup, Stay.Pickup.HOST)
        r = self.client.get(self.url("host_tonight"))
        self.assertContains(r, "<summary>End the stay</summary>", html=False)  # the first tap only opens
        self.assertContains(r, "Yes, end the stay")
        r = self.client.post(self.url("end_stay", stay=stay.pk))
        self.assertRedirects(r, self.url("host_tonight"), fetch_redirect_response=False)
        self.assertFalse(Stay.objects.exists())

    def test_an_ended_stay_leaves_no_link_between_guest_and_host_in_a_dump(self):
        traveller = self.at(evening(24, 22))
        tonight = self.hub.tonight()
        placement = self.placed_with_hugo(tonight)
        stays.make(placement, 3)
        traveller.move_to(evening(25, 20))
        self.hub.tonight()  # the stay's second night: its guest at Hugo's, straight there
        traveller.move_to(evening(25, 15))  # the next afternoon, before that night begins:
        self.log_in(self.colette)  # the coordinator ends it (the guest found another place)
        self.client.post(self.url("end_stay", stay=Stay.objects.get().pk))
        out = StringIO()
        call_command("dumpdata", "planning", "intake", "figures", stdout=out)
        rows = json.loads(out.getvalue())
        self.assertEqual([r for r in rows if r["model"] == "planning.stay"], [])
        hugo = str(self.hugo_home.pk)
        at_hugo = [r for r in rows if r["model"] == "planning.placement" and r["fields"]["home"] == hugo]
        # Only tonight's own placement remains, like any placement, purged with its night: no
        # other night, no stay, names Hugo's home; and no party of another night carries the guest.
        self.assertEqual([r["fields"]["night"] for r in at_hugo], [str(tonight.pk)])
        self.assertIsNone(at_hugo[0]["fields"]["stay"])
        parties = [r for r in rows if r["model"] == "intake.party"]
        self.assertEqual([r["pk"] for r in parties], [str(placement.party_id)])


class RefusedTests(StayTestCase):
    def test_a_stay_the_host_did_not_pledge_is_refused_and_what_was_typed_comes_back(self):
        self.at(evening(24, 18))
        BedPledge.objects.filter(pk=self.hugo_beds.pk).update(cancelled_dates=["2026-11-26"])
        self.log_in(self.colette)
        r = self.client.post(self.url("book_stay"), {
            "home": str(self.hugo_home.pk), "first_night": "2026-11-25", "nights": "3", "size": "1", "gender": "m",
            "nickname": NICKNAME, "pickup": "direct"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Hugo has no bed pledged on the night of Thursday 26 November.")
        self.assertContains(r, f'value="{NICKNAME}"')
        self.assertFalse(Stay.objects.exists())

    def test_more_than_the_beds_left_is_refused(self):
        self.at(evening(24, 18))
        self.book(date(2026, 11, 25), 2, size=2)
        with self.assertRaisesMessage(stays.StayRefused, "Hugo has no bed left on the night of Wednesday 25 November."):
            self.book(date(2026, 11, 25), 1, size=2)

    def test_men_and_a_family_never_share_a_home(self):
        self.at(evening(24, 18))
        self.book(date(2026, 11, 25), 1)
        with self.assertRaisesMessage(stays.StayRefused, "Hugo does not take this party"):
            stays.book(self.hugo_home, date(2026, 11, 25), 1, Party(size=2, gender="mixed"))

    def test_others_cannot_make_book_or_end_a_stay(self):
        self.at(evening(24, 22))
        placement = self.placed_with_hugo(self.hub.tonight())
        stay = stays.make(placement, 1)
        for user in (self.otto, self.dara, self.pia, self.bea):  # another hub, a driver, nobody, another host
            self.log_in(user)
            self.assertEqual(self.client.post(self.url("end_stay", stay=stay.pk)).status_code, 404, user.first_name)
            self.assertEqual(self.client.post(self.url("make_stay"), {"placement": placement.pk, "more": "1",
                                                                      "pickup": "direct"}).status_code, 404)
            self.assertEqual(self.client.post(self.url("book_stay"), {}).status_code, 404, user.first_name)
        self.log_in(self.hugo)  # a host books nothing ahead: the coordinators do
        self.assertEqual(self.client.post(self.url("book_stay"), {}).status_code, 404)
        self.assertTrue(Stay.objects.filter(pk=stay.pk).exists())

    def test_a_panic_deletes_the_hubs_stays(self):
        self.at(evening(24, 18))
        self.book(date(2026, 11, 26), 2)
        self.hub.panic()
        self.assertFalse(Stay.objects.exists())
