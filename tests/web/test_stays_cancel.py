"""A host cancels a night a stay holds (their own cancel, a no to "still on tonight?", or
withdrawing the pledge): cancelling is allowed, and the stay ends from that night on. Tonight
its guest is to place again, in the queue and the planner's night, with an alert on the board;
on a later night the stay is cut short and the board says so."""
from __future__ import annotations

import re
from datetime import date, time

from django.core import mail
from django.urls import reverse

from nightstay.hubs.models import Night, NightEvent
from nightstay.intake.models import Party
from nightstay.messaging import clock, replies
from nightstay.planning import nightfile
from nightstay.planning.models import Placement, Stay
from nightstay.pledges.models import BedPledge, Recurrence

from .test_stays import StayTestCase, evening

TICKET_PAGE = "intake:ticket"


class HostCancelsAStayNightTests(StayTestCase):
    def cancel(self, day: date, pledge: BedPledge | None = None):
        self.log_in(self.hugo)
        pledge = pledge or self.hugo_beds
        return self.client.post(reverse("pledges:cancel_night", args=["brussels", "beds", pledge.pk]),
                                {"day": day.isoformat()})

    def guest_tonight(self, stay_ticket: str) -> Party:
        return Party.objects.get(night=self.hub.tonight(), ticket=stay_ticket)

    def assert_to_place_again(self, party: Party) -> None:
        """In tonight's queue, in the planner's night, nowhere expected, the ticket page says wait."""
        party.refresh_from_db()
        self.assertEqual(party.status, Party.Status.WAITING)
        self.assertFalse(Placement.objects.filter(party=party).exists())
        self.assertIn(party.ticket, self.queue())
        doc, _ids = nightfile.build(party.night)
        self.assertIn(party.ticket, {p["id"] for p in doc["parties"]})
        self.assertNotIn(nightfile.home_id(self.hugo_home), {h["id"] for h in doc["hosts"]})
        self.assertEqual(party.next_step()["step"], "wait")
        page = self.client.get(reverse(TICKET_PAGE, args=[party.guest_token()]))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "Hugo")

    def board(self):
        self.log_in(self.colette)
        return self.client.get(self.url("board"))

    def test_cancelling_tonight_puts_the_stays_guest_back_in_the_queue_and_ends_the_stay(self):
        self.at(evening(24))
        stay = self.book(date(2026, 11, 24), 3, size=2)
        guest = self.guest_tonight(stay.ticket)
        self.assertEqual(guest.status, Party.Status.STAYING)
        r = self.cancel(date(2026, 11, 24))
        self.assertEqual(r.status_code, 302)
        self.assertFalse(BedPledge.objects.get(pk=self.hugo_beds.pk).is_open_on(date(2026, 11, 24)))
        self.assert_to_place_again(guest)
        self.assertFalse(Stay.objects.exists())  # it began tonight: nothing is left of it
        event = NightEvent.objects.get(night=self.hub.tonight(), kind="stay_ended")
        self.assertEqual((event.ref, event.people, event.by), (stay.ticket, 2, self.hugo))
        board = self.board()
        self.assertContains(board, "a stay ended early")
        self.assertContains(board, f"{stay.ticket} · 2 to place again")
        self.assertNotContains(board, "straight to their host tonight (2 people)")

    def test_cancelling_tonight_in_the_middle_of_a_stay_keeps_its_past_nights(self):
        traveller = self.at(evening(24))
        stay = self.book(date(2026, 11, 24), 3)
        traveller.move_to(evening(25))
        guest = self.guest_tonight(stay.ticket)
        self.cancel(date(2026, 11, 25))
        self.assert_to_place_again(guest)
        stay.refresh_from_db()
        self.assertEqual((stay.first_night, stay.last_night), (date(2026, 11, 24), date(2026, 11, 24)))
        traveller.move_to(evening(26))  # the next night: Hugo's beds are back, no stay guest expected
        self.assertFalse(Party.objects.filter(night=self.hub.tonight()).exists())
        self.assertEqual(self.hugo_in_file(self.hub.tonight())["beds"], 3)

    def test_cancelling_a_later_night_cuts_the_stay_short_and_the_board_says_so(self):
        traveller = self.at(evening(24))
        stay = self.book(date(2026, 11, 24), 4)
        Night.for_date(self.hub, date(2026, 11, 26))  # that night already open: its party is in
        self.assertTrue(Party.objects.filter(night__date=date(2026, 11, 26), ticket=stay.ticket).exists())
        r = self.cancel(date(2026, 11, 26))
        self.assertEqual(r.status_code, 302)
        stay.refresh_from_db()
        self.assertEqual(stay.last_night, date(2026, 11, 25))
        self.assertFalse(Party.objects.filter(night__date__gte=date(2026, 11, 26)).exists())
        self.assertEqual(self.guest_tonight(stay.ticket).status, Party.Status.STAYING)  # tonight holds
        event = NightEvent.objects.get(kind="stay_ended")
        self.assertEqual((event.night, event.ref), (self.hub.tonight(), stay.ticket))
        self.assertContains(self.board(), "a stay ended early")
        for day, expected in ((25, Party.Status.STAYING), (26, None), (27, None)):
            traveller.move_to(evening(day))
            party = Party.objects.filter(night=self.hub.tonight(), ticket=stay.ticket).first()
            self.assertEqual(party.status if party else None, expected, day)
        self.assertEqual(self.hugo_in_file(self.hub.tonight())["beds"], 3)  # the 27th: Hugo's pledge, no stay

    def test_a_stay_that_starts_on_the_cancelled_night_is_gone(self):
        self.at(evening(24))
        self.book(date(2026, 11, 26), 2)
        self.cancel(date(2026, 11, 26))
        self.assertFalse(Stay.objects.exists())
        self.assertTrue(NightEvent.objects.filter(kind="stay_ended").exists())

    def test_the_host_is_told_the_coordinators_know(self):
        self.at(evening(24))
        self.book(date(2026, 11, 27), 2)
        self.log_in(self.hugo)
        r = self.client.post(reverse("pledges:cancel_night", args=["brussels", "beds", self.hugo_beds.pk]),
                             {"day": "2026-11-27"}, follow=True)
        self.assertContains(r, "The coordinators are told at once")

    def test_another_open_pledge_of_the_home_keeps_the_stay(self):
        self.at(evening(24))
        BedPledge.objects.create(home=self.hugo_home, beds=1, pickup="driver", first_date=self.today,
                                 recurrence=Recurrence.DAILY, until=date(2026, 12, 4),
                                 ready_from=time(21), latest_arrival=time(23, 30))
        stay = self.book(date(2026, 11, 24), 3)
        self.cancel(date(2026, 11, 25))
        stay.refresh_from_db()
        self.assertEqual(stay.last_night, date(2026, 11, 26))
        self.assertFalse(NightEvent.objects.filter(kind="stay_ended").exists())

    def test_withdrawing_the_pledge_ends_its_stays(self):
        self.at(evening(24))
        stay = self.book(date(2026, 11, 24), 3, size=2)
        later = self.book(date(2026, 11, 28), 2)
        guest = self.guest_tonight(stay.ticket)
        self.log_in(self.hugo)
        r = self.client.post(reverse("pledges:withdraw", args=["brussels", "beds", self.hugo_beds.pk]))
        self.assertEqual(r.status_code, 302)
        self.assert_to_place_again(guest)
        self.assertFalse(Stay.objects.filter(pk__in=[stay.pk, later.pk]).exists())
        self.assertEqual(set(NightEvent.objects.filter(kind="stay_ended").values_list("ref", flat=True)),
                         {stay.ticket, later.ticket})
        self.assertTrue(NightEvent.objects.filter(kind="host_cancelled").exists())

    def test_a_no_to_still_on_tonight_ends_the_stay_as_the_hosts_cancel_does(self):
        traveller = self.at(evening(24, 16))
        stay = self.book(date(2026, 11, 24), 3)
        traveller.move_to(evening(24, 17))
        with self.captureOnCommitCallbacks(execute=True):
            clock.tick()
        [question] = [m for m in mail.outbox if m.to == [self.hugo.email]]
        code = re.search(r"code (\d{4,8})", question.body).group(1)
        guest = self.guest_tonight(stay.ticket)
        self.assertEqual(replies.answer_by_code(f"2 {code}", "sms", self.hugo.phone), "taken")
        self.assertFalse(BedPledge.objects.get(pk=self.hugo_beds.pk).is_open_on(date(2026, 11, 24)))
        self.assert_to_place_again(guest)
        self.assertFalse(Stay.objects.exists())
        self.assertEqual(NightEvent.objects.get(kind="stay_ended").ref, stay.ticket)

    def test_a_yes_keeps_the_stay(self):
        traveller = self.at(evening(24, 16))
        stay = self.book(date(2026, 11, 24), 3)
        traveller.move_to(evening(24, 17))
        with self.captureOnCommitCallbacks(execute=True):
            clock.tick()
        [question] = [m for m in mail.outbox if m.to == [self.hugo.email]]
        code = re.search(r"code (\d{4,8})", question.body).group(1)
        self.assertEqual(replies.answer_by_code(f"1 {code}", "sms", self.hugo.phone), "taken")
        stay.refresh_from_db()
        self.assertEqual(stay.last_night, date(2026, 11, 26))
        self.assertEqual(self.guest_tonight(stay.ticket).status, Party.Status.STAYING)



class HostEditsAPledgeUnderAStayTests(StayTestCase):
    def test_ending_the_pledge_earlier_cuts_the_stay_at_its_last_night(self):
        self.at(evening(24))
        stay = self.book(date(2026, 11, 24), 4)
        self.log_in(self.hugo)
        url = reverse("pledges:edit", args=["brussels", "beds", self.hugo_beds.pk])
        form = self.client.get(url).context["form"]
        data = {name: field.value() for name, field in ((f.name, f) for f in form) if field.value() is not None}
        data = {k: ([str(x) for x in v] if isinstance(v, list) else v) for k, v in data.items()}
        data["until"] = "2026-11-25"  # Hugo's last night is now the 25th
        r = self.client.post(url, data)
        self.assertEqual(r.status_code, 302, r.context and r.context["form"].errors)
        stay.refresh_from_db()
        self.assertEqual(stay.last_night, date(2026, 11, 25))
        self.assertEqual(NightEvent.objects.get(kind="stay_ended").ref, stay.ticket)
