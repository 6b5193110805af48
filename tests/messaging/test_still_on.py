""""Still on tonight?": asked once at the hub's hour, answered by one tap or an SMS code; a yes
confirms, a no cancels as the volunteer's own cancel does, silence shows on the board."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from nightstay.dispatch import announce
from nightstay.hubs.models import Night, NightEvent
from nightstay.messaging import clock, replies
from nightstay.messaging.models import Message
from nightstay.planning import nightfile
from nightstay.planning.models import Placement
from nightstay.pledges.models import BedPledge, SeatPledge
from tests.web.test_board import BRUSSELS, TonightTestCase


def at(hour: int, minute: int = 0, day: int = 24) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=BRUSSELS)


class StillOnTestCase(TonightTestCase):
    """Tonight of the board's tests: Hugo (2 beds, a driver brings guests), Béa (2 beds, picks
    up), Dara's car; the hub asks hosts at 17:00 and drivers at 19:30, answers due within 60 min."""

    def tick(self, moment: datetime) -> dict:
        with time_machine.travel(moment, tick=False), self.captureOnCommitCallbacks(execute=True):
            return clock.tick()

    def asked(self, template: str = "still_on") -> dict:
        return {m.recipient.first_name: m for m in Message.objects.filter(template=template).select_related("recipient")}

    def mail_to(self, user) -> str:
        [body] = [m.body for m in mail.outbox if m.to == [user.email]]
        return body

    def code_in(self, body: str) -> str:
        return re.search(r"code (\d{4,8})", body).group(1)

    def link_in(self, body: str) -> str:
        line = next(line for line in body.splitlines() if "/m/" in line)
        return line[line.index("/m/"):].strip()


class AskingTests(StillOnTestCase):
    def test_at_17_the_hosts_with_a_pledge_tonight_get_one_message_each_with_a_code_and_a_link(self):
        BedPledge.objects.create(home=self.hugo_home, beds=1, pickup="driver", first_date=self.today + timedelta(1))
        self.assertEqual(self.tick(at(16, 59))["still_on"], 0)
        self.assertEqual(self.tick(at(17, 0))["still_on"], 2)
        asked = self.asked()
        self.assertEqual(set(asked), {"Hugo", "Béa"})  # not Dara (a driver), not tomorrow's pledge
        self.assertEqual(asked["Hugo"].about, str(self.hugo_beds.pk))
        self.assertEqual(asked["Hugo"].night, self.night)
        self.assertEqual(sorted(m.to[0] for m in mail.outbox), ["bea@example.org", "hugo@example.org"])
        body = self.mail_to(self.hugo)
        self.assertIn("2 beds for tonight", body)
        self.assertIn("answer by 18:00", body)
        self.assertIn("1 = yes, 2 = no, code " + asked["Hugo"].reply_code, body)
        self.assertEqual(self.client.get(self.link_in(body)).status_code, 200)
        self.assertFalse(SeatPledge.objects.filter(pk__in=[m.about for m in asked.values()]).exists())

    def test_asking_again_sends_nothing_new(self):
        self.tick(at(17, 0))
        for moment in (at(17, 0, ), at(17, 1), at(17, 59)):
            self.assertEqual(self.tick(moment)["still_on"], 0)
        self.assertEqual(Message.objects.count(), 2)
        self.assertEqual(len(mail.outbox), 2)

    def test_at_half_past_seven_the_drivers_are_asked_and_nobody_after_the_deadline(self):
        self.assertEqual(self.tick(at(18, 0))["still_on"], 0)  # the hosts' answers are due: too late to ask
        self.tick(at(19, 30))
        self.assertEqual(set(self.asked("still_driving")), {"Dara"})
        self.assertFalse(Message.objects.filter(template="still_on").exists())
        body = self.mail_to(self.dara)
        self.assertIn("drive tonight from 20:30 (3 seats)", body)
        self.assertEqual(self.tick(at(20, 30))["still_on"], 0)

    def test_each_hub_asks_at_its_own_hours(self):
        self.hub.ask_hosts_at, self.hub.answer_within = at(18, 15).time(), 30
        self.hub.save()
        self.assertEqual(self.tick(at(17, 0))["still_on"], 0)
        self.assertEqual(self.tick(at(18, 15))["still_on"], 2)
        self.assertIn("answer by 18:45", self.mail_to(self.bea))

    def test_a_host_is_asked_in_their_language(self):
        self.hugo.language = "fr"
        self.hugo.save()
        self.tick(at(17, 0))
        self.assertIn("Bonjour Hugo", self.mail_to(self.hugo))

    def test_a_plain_text_message_is_not_html_escaped(self):
        self.hugo.first_name = "D'Arcy"
        self.hugo.save()
        self.hub.name = "Aide & Abri"
        self.hub.save()
        self.tick(at(17, 0))
        message = Message.objects.get(recipient=self.hugo)
        self.assertIn("Hello D'Arcy,", message.body)
        self.assertEqual(message.subject, "Aide & Abri: still on tonight?")

    def test_no_message_holds_an_address_a_nickname_or_a_ticket(self):
        self.tick(at(17, 0))
        self.tick(at(19, 30))
        forbidden = ["Rue du Trône", "Chaussée de Wavre", "1050", "Amal", "FAMY", "WUMA", "MENA", "MENC"]
        bodies = [m.body + m.subject for m in Message.objects.all()] + [m.body + m.subject for m in mail.outbox]
        self.assertEqual(len(bodies), 6)
        for body in bodies:
            self.assertFalse([word for word in forbidden if word in body], body)

    def test_the_command_runs_one_tick(self):
        with time_machine.travel(at(17, 0), tick=False):
            call_command("messaging_clock", "--once", stdout=(out := _Out()))
        self.assertIn("still_on=2", out.text)
        self.assertIn("flushed=0", out.text)

    def test_a_failing_hook_does_not_stop_the_others(self):
        def broken(now):
            raise RuntimeError("boom")
        clock.every_tick("broken")(broken)
        self.addCleanup(clock.HOOKS.pop, "broken")
        with self.assertLogs("nightstay.messaging.clock", "ERROR"):
            done = self.tick(at(17, 0))
        self.assertEqual((done["broken"], done["still_on"]), (-1, 2))


class _Out:
    text = ""

    def write(self, s):
        self.text += s

    def flush(self):
        pass


class AnswerTests(StillOnTestCase):
    def test_a_yes_by_link_confirms_the_pledge_for_tonight(self):
        self.tick(at(17, 0))
        link = self.link_in(self.mail_to(self.hugo))
        with time_machine.travel(at(17, 20), tick=False):
            self.assertContains(self.client.post(link, {"answer": "yes"}), "your answer is yes")
        self.hugo_beds.refresh_from_db()
        self.assertTrue(self.hugo_beds.is_confirmed_on(self.today))
        self.assertTrue(self.hugo_beds.is_open_on(self.today))
        self.assertFalse(BedPledge.objects.get(pk=self.bea_beds.pk).is_confirmed_on(self.today))

    def test_a_no_by_sms_code_cancels_as_the_hosts_own_cancel_does(self):
        self.tick(at(17, 0))
        code = self.code_in(self.mail_to(self.hugo))
        Placement.objects.create(night=self.night, party=self.family, home=self.hugo_home, pinned=True)
        self.plan_now()
        announce.announce(self.night)
        version = Night.objects.get(pk=self.night.pk).version
        self.assertEqual(replies.answer_by_code(f"2 {code}", "sms", self.hugo.phone), "taken")
        self.hugo_beds.refresh_from_db()
        self.assertFalse(self.hugo_beds.is_open_on(self.today))
        event = NightEvent.objects.get(night=self.night, kind="host_cancelled")
        self.assertEqual((event.by, event.people), (self.hugo, self.family.size))
        self.assertGreater(Night.objects.get(pk=self.night.pk).version, version)
        doc, _ids = nightfile.build(self.night)  # the guests are to be placed again, elsewhere
        self.assertNotIn(nightfile.home_id(self.hugo_home), {h["id"] for h in doc["hosts"]})
        self.assertIn(self.family.ticket, {p["id"] for p in doc["parties"]})
        self.log_in(self.colette)
        board = self.client.get(reverse("board", args=["brussels"]))
        self.assertContains(board, "a host cancelled tonight")
        self.assertContains(board, f"{self.family.size} to place again")
        self.assertEqual(replies.answer_by_code(f"1 {code}", "sms", self.hugo.phone), "unknown")  # answered: a second reply is refused

    def test_a_driver_who_says_no_is_out_of_the_next_plan(self):
        self.tick(at(19, 30))
        link = self.link_in(self.mail_to(self.dara))
        self.plan_now()
        announce.announce(self.night)
        self.client.post(link, {"answer": "no"})
        self.assertTrue(NightEvent.objects.filter(kind="driver_cancelled", driver=self.dara).exists())
        doc, _ids = nightfile.build(self.night)
        self.assertEqual(doc["drivers"], [])

    def test_a_reply_with_another_nights_code_or_after_the_night_changes_nothing(self):
        self.hugo_beds.recurrence, self.hugo_beds.first_date = "daily", self.today - timedelta(1)
        self.hugo_beds.save()
        self.tick(at(17, 0, day=23))  # last night's question, never answered
        yesterdays = self.code_in(self.mail_to(self.hugo))
        mail.outbox.clear()
        self.tick(at(17, 0))
        tonights = self.code_in(self.mail_to(self.hugo))
        with time_machine.travel(at(17, 30), tick=False):
            self.assertEqual(replies.answer_by_code(f"2 {yesterdays}", "sms", self.hugo.phone), "over")
        with time_machine.travel(at(9, 0, day=25), tick=False):
            self.assertEqual(replies.answer_by_code(f"2 {tonights}", "sms", self.hugo.phone), "over")
        self.hugo_beds.refresh_from_db()
        self.assertTrue(self.hugo_beds.is_open_on(self.today))
        self.assertTrue(self.hugo_beds.is_open_on(self.today - timedelta(1)))
        self.assertEqual(self.hugo_beds.cancelled_dates, [])
        self.assertFalse(NightEvent.objects.exists())

    def test_an_answer_about_a_pledge_that_is_not_the_recipients_changes_nothing(self):
        self.tick(at(17, 0))
        message = self.asked()["Hugo"]
        Message.objects.filter(pk=message.pk).update(about=str(self.bea_beds.pk))
        with time_machine.travel(at(17, 30), tick=False):
            self.assertEqual(replies.answer_by_code(f"2 {message.reply_code}", "sms", self.hugo.phone), "taken")
        self.assertTrue(BedPledge.objects.get(pk=self.bea_beds.pk).is_open_on(self.today))
