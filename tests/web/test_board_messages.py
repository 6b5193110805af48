"""Messages from the board: every driver the way to their run sheet, hosts told of the plan and
its changes, a coordinator's few words to one driver or every driver on the road."""
from __future__ import annotations

from datetime import timedelta

import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from nightstay.dispatch.models import RunSheetGrant
from nightstay.hubs.models import Role
from nightstay.messaging.models import Message
from nightstay.planning import events
from nightstay.planning.models import Trip

from .base import make_user
from .test_board import NINE_PM, TonightTestCase
from .test_runsheet import RunSheetTestCase


class SendLinksTests(RunSheetTestCase):
    def send_all(self):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(self.url("send_links"), follow=True)

    def test_one_tap_sends_each_driver_the_way_to_their_page_and_the_board_ticks_it(self):
        self.log_in(self.colette)
        r = self.send_all()
        self.assertContains(r, "Sent to 1 driver")
        (message,) = Message.objects.filter(template="run_sheet")
        self.assertEqual((message.recipient, message.state, message.channel, message.about),
                         (self.dara, "sent", "email", str(self.grant.pk)))
        (sent,) = mail.outbox
        self.assertEqual(sent.to, ["dara@example.org"])
        self.assertIn("http://127.0.0.1:8000" + reverse("driver_tonight", args=["brussels"]), sent.body)
        self.assertNotIn(self.grant.token(), sent.body)  # the bound link itself never travels
        self.assertNotIn("/run/", sent.body)
        board = self.client.get(self.url("board"))
        self.assertContains(board, "✓ sent by e-mail at 21:00")

    def test_a_second_tap_re_sends_only_to_links_not_opened(self):
        self.log_in(self.colette)
        self.send_all()
        self.send_all()
        self.assertEqual(Message.objects.filter(template="run_sheet").count(), 2)
        with time_machine.travel(NINE_PM + timedelta(minutes=4), tick=False):
            Client().get(self.sheet)  # Dara's phone opens it
        r = self.send_all()
        self.assertContains(r, "nothing sent")
        self.assertEqual(Message.objects.filter(template="run_sheet").count(), 2)
        self.assertContains(self.client.get(self.url("board")), "✓✓ sent by e-mail")

    def test_a_new_link_sends_word_of_the_new_one(self):
        self.log_in(self.colette)
        self.send_all()
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(self.url("new_link", grant=self.grant.pk))
        new = RunSheetGrant.objects.get(driver=self.dara, revoked_at__isnull=True)
        message = Message.objects.get(template="run_sheet", about=str(new.pk))
        self.assertIn("renewed", message.body)
        self.assertEqual(message.state, "sent")

    def test_a_new_link_never_sent_sends_nothing(self):
        self.log_in(self.colette)
        self.client.post(self.url("new_link", grant=self.grant.pk))
        self.assertFalse(Message.objects.exists())

    def test_the_drivers_page_offers_the_link_to_scan_or_share_until_it_opens(self):
        self.log_in(self.dara)
        page = self.client.get(reverse("driver_tonight", args=["brussels"]))
        self.assertContains(page, "data-share=")
        self.assertContains(page, "<svg")
        self.assertEqual(page["Cache-Control"], "no-store")
        Client().get(self.sheet)
        page = self.client.get(reverse("driver_tonight", args=["brussels"]))
        self.assertNotContains(page, "data-share=")
        self.assertNotContains(page, "<svg")

    def test_only_coordinators_send(self):
        for name in ("send_links", "message_driver", "message_road"):
            self.assert_refused_to_all_but_coordinators(self.url(name), "post")
        self.assertFalse(Message.objects.exists())


class SameFirstNameTests(RunSheetTestCase):
    def test_two_ursulas_are_told_apart_on_the_board_and_in_their_messages(self):
        one = make_user("u1@example.org", "Ursula", self.hub, Role.DRIVER)
        two = make_user("u2@example.org", "Ursula", self.hub, Role.DRIVER)
        one.phone, two.phone = "+32470111112", "+32470222234"
        one.save(), two.save()
        RunSheetGrant.issue(self.night, one)
        RunSheetGrant.issue(self.night, two)
        self.log_in(self.colette)
        board = self.client.get(self.url("board")).content.decode()
        self.assertIn("Ursula ·12:", board)
        self.assertIn("Ursula ·34:", board)
        self.assertIn("Dara:", board)  # a name nobody shares stays as it is
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(self.url("send_links"))
        body = Message.objects.get(template="run_sheet", recipient=two).body
        self.assertIn("you are “Ursula ·34”", body)
        self.assertNotIn("you are", Message.objects.get(template="run_sheet", recipient=self.dara).body)

    def test_without_distinct_digits_they_are_numbered(self):
        from nightstay.dispatch.names import told_apart

        one = make_user("u1@example.org", "Ursula", self.hub, Role.DRIVER)
        two = make_user("u2@example.org", "ursula", self.hub, Role.DRIVER)  # same phone as every persona
        self.assertEqual(told_apart([two, one, self.dara]),
                         {one.pk: "Ursula (1)", two.pk: "ursula (2)", self.dara.pk: "Dara"})


class HostsToldTests(TonightTestCase):
    def setUp(self):
        super().setUp()
        from nightstay.planning.models import Placement

        Placement.objects.create(night=self.night, party=self.family, home=self.hugo_home, pinned=True)
        Placement.objects.create(night=self.night, party=self.woman, home=self.bea_home, pinned=True)
        self.log_in(self.colette)

    def announce(self):
        self.plan_now()
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(self.url("announce"))

    def bodies(self, template: str) -> dict:
        return {m.recipient.first_name: m.body for m in Message.objects.filter(template=template)}

    def test_each_host_with_guests_is_told_how_many_when_and_with_whom(self):
        self.announce()
        told = self.bodies("host_tonight")
        self.assertEqual(set(told), {"Hugo", "Béa"})
        arrive = Trip.objects.get(driver=self.dara).stops.get().arrive.astimezone(NINE_PM.tzinfo)
        self.assertIn(f"2 guests arriving around {arrive:%H:%M} with Dara.", told["Hugo"])
        self.assertIn("1 guest, home around", told["Béa"])  # she collects at the park
        self.assertIn("http://127.0.0.1:8000" + reverse("host_tonight", args=["brussels"]), told["Hugo"])
        for body in told.values():
            for secret in ("FAMY", "WUMA", "Amal", "Rue du Trône", "Chaussée de Wavre"):
                self.assertNotIn(secret, body)
        self.assertEqual(len(mail.outbox), 2)
        self.assertFalse(Message.objects.filter(template="plan_changed").exists())

    def test_a_replan_tells_only_those_whose_part_changed(self):
        self.announce()
        grant = RunSheetGrant.objects.get(driver=self.dara)
        Client().get(reverse("run_sheet", args=[grant.token()]))  # Dara's phone shows the sheet
        self.plan_now()
        self.client.post(self.url("move"), {"party": "FAMY", "place": "-"}, headers={"HX-Request": "true"})
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(self.url("announce"))
        told = self.bodies("plan_changed")
        self.assertEqual(set(told), {"Hugo", "Dara"})  # Béa's guest and time did not change
        self.assertIn("Nobody is coming to you tonight any more.", told["Hugo"])
        self.assertIn("no run for you tonight", told["Dara"])
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(self.url("announce"))  # the same plan again: nobody told twice
        self.assertEqual(Message.objects.filter(template="plan_changed").count(), 2)

    def test_a_driver_whose_phone_never_showed_the_sheet_is_not_told_it_changed(self):
        self.announce()
        self.plan_now()
        self.client.post(self.url("move"), {"party": "FAMY", "place": "-"}, headers={"HX-Request": "true"})
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(self.url("announce"))
        self.assertEqual(set(self.bodies("plan_changed")), {"Hugo"})

    def test_announcing_again_unchanged_tells_nobody(self):
        self.announce()
        self.announce()
        self.assertFalse(Message.objects.filter(template="plan_changed").exists())
        self.assertEqual(Message.objects.filter(template="host_tonight").count(), 2)


class CoordinatorWordsTests(RunSheetTestCase):
    def say(self, name: str, text: str, **extra):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(self.url(name), {"text": text, **extra}, follow=True)

    def test_a_few_words_to_one_driver_cleaned_and_sealed(self):
        self.log_in(self.colette)
        r = self.say("message_driver", "Come\u202e back\x07 to the\r\npark,  please", driver=str(self.dara.pk))
        self.assertContains(r, "Sent to Dara.")
        (m,) = Message.objects.filter(template="from_coordinator")
        self.assertIn("From Colette, coordinating tonight:\nCome back to the park, please\n", m.body)
        self.assertEqual(mail.outbox[0].to, ["dara@example.org"])

    def test_bad_words_are_refused_and_kept_in_the_form(self):
        self.log_in(self.colette)
        for text, why in (("x" * 301, "At most 300 characters"), ("take FAMY first", "must not name a guest"),
                          ("Amal waits by the gate", "must not name a guest"), ("  \x00 ", "Write a few words")):
            r = self.say("message_driver", text, driver=str(self.dara.pk))
            self.assertContains(r, why)
            if text.strip("\x00 "):
                self.assertContains(r, text[:20])  # the draft is back in the form
        r = self.say("message_driver", "hello", driver=str(self.hugo.pk))  # not a driver tonight
        self.assertContains(r, "Choose one of tonight")
        self.assertFalse(Message.objects.exists())

    def test_every_driver_on_the_road_and_only_them(self):
        self.log_in(self.colette)
        r = self.say("message_road", "Road closed at Louise")
        self.assertContains(r, "No driver is on the road now.")
        events.depart(self.trip, by=self.dara)
        ursula = make_user("u1@example.org", "Ursula", self.hub, Role.DRIVER)
        RunSheetGrant.issue(self.night, ursula)  # tonight's driver, not on the road
        self.assertContains(self.client.get(self.url("board")), "To the 1 driver on the road now")
        r = self.say("message_road", "Road closed at Louise")
        self.assertContains(r, "Sent to 1 driver on the road.")
        self.assertEqual([m.recipient for m in Message.objects.filter(template="from_coordinator")], [self.dara])


class LanguageTests(HostsToldTests):
    test_a_replan_tells_only_those_whose_part_changed = None
    test_a_driver_whose_phone_never_showed_the_sheet_is_not_told_it_changed = None
    test_announcing_again_unchanged_tells_nobody = None
    test_each_host_with_guests_is_told_how_many_when_and_with_whom = None

    def test_each_host_is_told_in_their_own_language(self):
        self.hugo.language, self.bea.language = "fr", "nl"
        self.hugo.save(), self.bea.save()
        self.announce()
        hugo = Message.objects.get(recipient=self.hugo)
        self.assertIn("2 invités arrivent vers", hugo.body)
        self.assertIn("vos invités ce soir", hugo.subject)
        self.assertIn("1 gast, thuis rond", Message.objects.get(recipient=self.bea).body)


class LinkPreviewTests(RunSheetTestCase):
    """A driver shares their link from their page into a chat: the app's preview fetch must not
    take the link from the driver's phone."""

    def test_a_chat_apps_preview_fetch_binds_nothing_and_shows_nothing(self):
        for agent in ("WhatsApp/2.23.20.0 A", "facebookexternalhit/1.1 Facebot Twitterbot/1.0",  # iMessage
                      "TelegramBot (like TwitterBot)", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"):
            r = Client().get(self.sheet, headers={"User-Agent": agent})
            self.assertEqual(r.status_code, 200, agent)
            self.assertNotContains(r, "Rue du Trône")
            self.assertNotContains(r, "FAMY")
            self.assertNotIn("nightstay_run_device", r.cookies)
        self.grant.refresh_from_db()
        self.assertEqual((self.grant.device_hash, self.grant.opened_at), ("", None))
        phone = Client()
        self.assertContains(phone.get(self.sheet), "Rue du Trône 12")  # the driver's phone still gets it
        r = Client().get(self.sheet, headers={"User-Agent": "WhatsApp/2.23.20.0 A"})
        self.assertNotContains(r, "Rue du Trône", status_code=200)  # and a preview after it still nothing
