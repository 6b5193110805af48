"""Attacks on the surfaces added with messages and stays, each run against the real views.

CSRF on every new POST view, a redirect to another site, a host (or a coordinator without her
second factor) reaching the stays page or another host's stays, a coordinator's text carrying
markup or a bidi override, a guessed answer link. Each of these held when written: the tests
keep them so.
"""
from __future__ import annotations

import secrets
import zlib

from django.contrib.sessions.models import Session
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from nightstay.messaging import outbox
from nightstay.messaging.models import Message
from nightstay.planning import stays
from nightstay.planning.models import Stay

from .test_runsheet import RunSheetTestCase
from .test_stays import NICKNAME, StayTestCase, evening


class CsrfOnNewViewsTests(StayTestCase):
    def strict(self, user) -> Client:
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        return client

    def test_every_new_post_view_refuses_a_post_from_another_site(self):
        self.at(evening(24, 22))
        placement = self.placed_with_hugo(self.hub.tonight())
        stay = stays.make(placement, 1)
        question = outbox.queue(self.hugo, self.hub.tonight(), "still_on", {"beds": 1}, about="x", asks=True)
        token = question.new_token()
        question.save(update_fields=["token_hash"])
        hugo, adele = self.strict(self.hugo), self.strict(self.adele)
        session = adele.session
        from django_otp.plugins.otp_totp.models import TOTPDevice
        session["otp_device_id"] = TOTPDevice.objects.get(user=self.adele).persistent_id
        session.save()
        posts = [
            (Client(enforce_csrf_checks=True), reverse("messaging:answer", args=[token]), {"answer": "no"}),
            (hugo, reverse("messaging:contact"), {"action": "send_code"}),
            (hugo, reverse("messaging:contact"), {"action": "prefer", "prefers": "email"}),
            (hugo, reverse("messaging:push_subscribe"), {}),
            (hugo, reverse("messaging:push_unsubscribe"), {}),
            (hugo, self.url("end_stay", stay=stay.pk), {}),
            (hugo, self.url("make_stay"), {"placement": placement.pk, "more": "1"}),
            (adele, self.url("end_stay", stay=stay.pk), {}),
            (adele, self.url("book_stay"), {}),
            (adele, self.url("send_links"), {}),
            (adele, self.url("message_driver"), {"driver": str(self.dara.pk), "text": "hello"}),
            (adele, self.url("message_road"), {"text": "hello"}),
            (adele, self.url("hub_settings"), {"ask_hosts_at": "10:00"}),
        ]
        for client, url, data in posts:
            self.assertEqual(client.post(url, data).status_code, 403, url)
        question.refresh_from_db()
        self.assertEqual(question.answer, "")
        self.assertTrue(Stay.objects.filter(pk=stay.pk).exists())
        self.assertFalse(Message.objects.filter(template="from_coordinator").exists())

    def test_back_goes_only_to_the_sites_own_pages(self):
        self.at(evening(24, 22))
        stay = stays.make(self.placed_with_hugo(self.hub.tonight()), 1)
        self.log_in(self.adele)
        r = self.client.post(self.url("end_stay", stay=stay.pk), {"back": "https://evil.example/"})
        self.assertEqual(r["Location"], self.url("stays"))


class StaysSeenByWhomTests(StayTestCase):
    def test_a_host_sees_neither_the_stays_page_nor_another_hosts_stays(self):
        self.at(evening(24, 18))
        hugos = self.book(evening(25).date(), 2)
        for user in (self.bea, self.hugo, self.dara, self.otto):
            self.log_in(user)
            self.assertIn(self.client.get(self.url("stays")).status_code, (403, 404), user.first_name)
        self.log_in(self.cyril)  # a coordinator who has not enrolled her second factor
        self.assertEqual(self.client.get(self.url("stays")).status_code, 302)
        self.log_in(self.bea)
        page = self.client.get(self.url("host_tonight")).content.decode()
        self.assertNotIn(hugos.ticket, page)
        self.assertNotIn(NICKNAME, page)
        self.assertNotIn("Hugo", page)
        self.log_in(self.adele)
        page = self.client.get(self.url("stays")).content.decode()
        self.assertIn(hugos.ticket, page)
        self.assertNotIn(NICKNAME, page)  # the coordinators' list names no guest
        self.assertNotIn("Rue du Trône", page)


class WordsAndLinksTests(RunSheetTestCase):
    def test_markup_and_bidi_in_a_coordinators_text_reach_no_page_as_markup(self):
        self.log_in(self.colette)
        text = '<script>alert(1)</script> <img src=x onerror=alert(2)> \u202egnirts\u2066 \u200b'
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(self.url("message_driver"), {"text": text, "driver": str(self.dara.pk)})
        (m,) = Message.objects.filter(template="from_coordinator")
        for hidden in ("\u202e", "\u2066", "\u200b"):
            self.assertNotIn(hidden, m.body + mail.outbox[0].body)
        board = self.client.get(self.url("board")).content.decode()
        self.assertNotIn("<script>alert", board)
        self.assertNotIn("<img src=x", board)
        self.assertEqual(mail.outbox[0].content_subtype, "plain")  # e-mail as text: no markup runs

    def test_a_guessed_answer_link_opens_nothing(self):
        question = outbox.queue(self.hugo, self.night, "still_on", {"beds": 1}, about="x", asks=True)
        token = question.new_token()
        question.save(update_fields=["token_hash"])
        self.assertEqual(len(token), 24)  # 18 random bytes: 144 bits
        for _ in range(50):
            guess = secrets.token_urlsafe(18)
            self.assertEqual(self.client.post(reverse("messaging:answer", args=[guess]),
                                              {"answer": "no"}).status_code, 404)
        self.assertEqual(self.client.post(reverse("messaging:answer", args=[token[:-1]]), {"answer": "no"}).status_code,
                         404)
        question.refresh_from_db()
        self.assertEqual(question.answer, "")

    def test_a_refused_text_naming_a_guest_waits_sealed_in_the_session(self):
        """Refused for naming Amal, the text is kept for the coordinator; the session table, which
        a backup holds and which opens without any key (signed, not encrypted), must not show it."""
        self.log_in(self.colette)
        r = self.client.post(self.url("message_driver"), {"text": "Amal waits by the gate", "driver": str(self.dara.pk)},
                             follow=True)
        self.assertContains(r, "must not name a guest")
        self.assertContains(r, "Amal waits by the gate")  # back in the form: nothing lost
        for row in Session.objects.all():
            payload = row.session_data.split(":", 1)[0]
            compressed = payload.startswith(".")
            raw = signing.b64_decode(payload.lstrip(".").encode())
            text = (zlib.decompress(raw) if compressed else raw).decode()
            self.assertNotIn("Amal", text)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(self.url("message_driver"), {"text": "Come back please", "driver": str(self.dara.pk)})
        self.assertNotContains(self.client.get(self.url("board")), "Amal waits")  # sent: the draft is gone
