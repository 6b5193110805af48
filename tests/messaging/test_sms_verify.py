"""A volunteer chooses how to be reached and checks their number with a 6-digit code by SMS."""
from __future__ import annotations

import re
from datetime import timedelta

import time_machine

from nightstay.messaging.channels import sms
from nightstay.messaging.models import Contact
from tests.messaging.test_sms import EVENING, SmsTestCase

URL = "/m/contact/"


class VerifyTests(SmsTestCase):
    def setUp(self):
        super().setUp()
        self.dara.phone = "+32470445566"
        self.dara.save()
        self.log_in(self.dara)

    def send_code(self):
        return self.client.post(URL, {"action": "send_code"})

    def last_code(self) -> str:
        sent = self.gateway.sent[-1]
        self.assertEqual(sent["phoneNumbers"], ["+32470445566"])
        return re.search(r"\b(\d{6})\b", sent["textMessage"]["text"]).group(1)

    def check(self, code: str):
        return self.client.post(URL, {"action": "check_code", "code": code})

    def test_it_requires_a_log_in(self):
        self.client.logout()
        self.assertRedirects(self.client.get(URL), f"/login/?next={URL}", fetch_redirect_response=False)
        self.assertEqual(self.client.post(URL, {"action": "send_code"}).status_code, 302)
        self.assertEqual(self.gateway.sent, [])

    def test_the_code_sent_by_sms_checks_the_number(self):
        self.assertContains(self.client.get(URL), "ending in 66")
        self.assertRedirects(self.send_code(), URL)
        code = self.last_code()
        self.assertEqual(self.check("000000" if code != "000000" else "111111").status_code, 400)
        self.assertRedirects(self.check(f"{code[:3]} {code[3:]}"), URL)  # spaces as typed from the SMS
        self.assertTrue(sms.has_checked_phone(self.dara))
        self.assertContains(self.client.get(URL), "is checked")
        self.assertEqual(self.queue(user=self.dara).channel, "sms")  # urgent messages may now go by SMS

    def test_a_few_tries_only_then_a_new_code(self):
        self.send_code()
        code = self.last_code()
        wrong = "000000" if code != "000000" else "111111"
        for _ in range(5):
            self.assertEqual(self.check(wrong).status_code, 400)
        self.assertEqual(self.check(code).status_code, 429)  # the right one, too late
        self.assertEqual(self.check(code).status_code, 400)  # that code is gone
        self.assertFalse(sms.has_checked_phone(self.dara))
        self.send_code()
        self.assertRedirects(self.check(self.last_code()), URL)  # a new code, a new count of tries

    def test_a_code_expires_after_10_minutes(self):
        self.send_code()
        code = self.last_code()
        with time_machine.travel(EVENING + timedelta(minutes=10, seconds=5), tick=False):
            self.assertContains(self.check(code), "expired", status_code=400)
        self.assertFalse(sms.has_checked_phone(self.dara))

    def test_at_most_three_codes_an_hour(self):
        for _ in range(3):
            self.assertEqual(self.send_code().status_code, 302)
        self.assertEqual(self.send_code().status_code, 429)
        self.assertEqual(len(self.gateway.sent), 3)

    def test_a_gateway_down_loses_nothing_and_says_so(self):
        self.gateway.down = True
        self.assertContains(self.send_code(), "could not leave", status_code=503)

    def test_the_preferred_channel_is_saved(self):
        self.assertRedirects(self.client.post(URL, {"action": "prefer", "prefers": "email"}), URL)
        self.assertEqual(Contact.objects.get(user=self.dara).prefers, "email")
        self.client.post(URL, {"action": "prefer", "prefers": "pigeon"})
        self.assertEqual(Contact.objects.get(user=self.dara).prefers, "email")

    def test_a_volunteer_finds_the_page_from_home(self):
        self.assertContains(self.client.get("/"), f'href="{URL}"')
