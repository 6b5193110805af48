""""Still on tonight?" end to end by SMS: the question leaves through the gateway (a local server
speaking its API), the host answers "1 <code>" or "2 <code>" from their phone, the gateway posts
the reply to our signed webhook, and the pledge is confirmed, or called off as the host's own
cancel does (issue 11: "an incoming '1 4821' webhook that confirms the pledge")."""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import time

import time_machine
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from nightstay.dispatch import announce
from nightstay.hubs.models import NightEvent
from nightstay.messaging.channels import sms
from nightstay.messaging.models import Contact, Message
from nightstay.planning import nightfile
from nightstay.planning.models import Placement
from nightstay.pledges.models import BedPledge
from tests.messaging.sms_gateway import LOGIN, PASSWORD, Gateway
from tests.messaging.test_still_on import StillOnTestCase, at

SECRET = "webhook-signing-key"
HUGOS_PHONE = "+32470112233"


class StillOnBySmsTests(StillOnTestCase):
    """Hugo checked his number and prefers SMS; Béa did not: she is asked by e-mail."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gateway = cls.enterClassContext(Gateway())

    def setUp(self):
        super().setUp()
        self.enterContext(override_settings(
            MESSAGE_CHANNELS=["sms", "email"], SMS_DAILY_CAP=10, SMS_GATEWAY_URL=self.gateway.url,
            SMS_GATEWAY_LOGIN=LOGIN, SMS_GATEWAY_PASSWORD=PASSWORD, SMS_WEBHOOK_SECRET=SECRET))
        self.gateway.sent.clear()
        self.gateway.states.clear()
        self.hugo.phone = HUGOS_PHONE
        self.hugo.save()
        Contact.objects.create(user=self.hugo, prefers="sms", phone_verified_at=timezone.now(),
                               phone_checked=sms.phone_key(HUGOS_PHONE))

    def ask_hugo_by_sms(self) -> str:
        """17:00: the clock asks; Hugo's question leaves by the gateway; the code he must send back."""
        self.tick(at(17, 0))
        [sent] = self.gateway.sent
        self.assertEqual(sent["phoneNumbers"], [HUGOS_PHONE])
        message = self.asked()["Hugo"]
        self.assertEqual((message.state, message.channel, message.about), ("sent", "sms", str(self.hugo_beds.pk)))
        self.assertEqual(sent["id"], str(message.pk))
        text = sent["textMessage"]["text"]
        self.assertNotIn("Rue du", text)
        code = re.search(r"code (\d{4,8})", text).group(1)
        self.assertEqual(code, message.reply_code)
        self.assertEqual([m.to for m in mail.outbox], [[self.bea.email]])  # Béa by e-mail, Hugo not
        return code

    def reply(self, text: str, moment, event_id: str = "evt-1"):
        """What the gateway phone posts when Hugo's SMS comes in, signed as it signs."""
        with time_machine.travel(moment, tick=False):
            body = json.dumps({"id": event_id, "webhookId": "nightstay", "deviceId": "test-phone",
                               "event": "sms:received",
                               "payload": {"messageId": "in-1", "message": text, "sender": HUGOS_PHONE,
                                           "phoneNumber": HUGOS_PHONE, "simNumber": 1,
                                           "receivedAt": moment.isoformat()}}).encode()
            stamp = str(int(time.time()))
            signature = hmac.new(SECRET.encode(), body + stamp.encode(), hashlib.sha256).hexdigest()
            return self.client.post("/m/sms/webhook/", body, content_type="application/json",
                                    headers={"X-Signature": signature, "X-Timestamp": stamp})

    def test_a_1_by_sms_confirms_the_hosts_pledge_for_tonight(self):
        code = self.ask_hugo_by_sms()
        self.assertFalse(BedPledge.objects.get(pk=self.hugo_beds.pk).is_confirmed_on(self.today))
        answer = self.reply(f"1 {code}", at(17, 12))
        self.assertEqual((answer.status_code, answer.content), (200, b"taken"))
        pledge = BedPledge.objects.get(pk=self.hugo_beds.pk)
        self.assertTrue(pledge.is_confirmed_on(self.today))
        self.assertTrue(pledge.is_open_on(self.today))
        self.assertFalse(BedPledge.objects.get(pk=self.bea_beds.pk).is_confirmed_on(self.today))
        message = Message.objects.get(template="still_on", recipient=self.hugo)
        self.assertEqual((message.state, message.answer), ("answered", "yes"))
        self.assertFalse(NightEvent.objects.exists())
        # the gateway posts the same event again (it retries): taken once
        self.assertEqual(self.reply(f"1 {code}", at(17, 13)).content, b"duplicate")
        self.assertEqual(self.reply(f"2 {code}", at(17, 14), event_id="evt-2").content, b"unknown")  # answered
        self.assertTrue(BedPledge.objects.get(pk=self.hugo_beds.pk).is_open_on(self.today))

    def test_a_2_by_sms_calls_the_night_off_as_the_hosts_own_cancel_does(self):
        code = self.ask_hugo_by_sms()
        Placement.objects.create(night=self.night, party=self.family, home=self.hugo_home, pinned=True)
        self.plan_now()
        announce.announce(self.night)  # the announced plan counts on Hugo's beds
        answer = self.reply(f"2 {code}", at(21, 5))  # late, after the plan went out
        self.assertEqual((answer.status_code, answer.content), (200, b"taken"))
        pledge = BedPledge.objects.get(pk=self.hugo_beds.pk)
        self.assertFalse(pledge.is_open_on(self.today))
        event = NightEvent.objects.get(night=self.night, kind="host_cancelled")
        self.assertEqual((event.by, event.people), (self.hugo, self.family.size))
        message = Message.objects.get(template="still_on", recipient=self.hugo)
        self.assertEqual((message.state, message.answer), ("answered", "no"))
        doc, _ids = nightfile.build(self.night)  # the planner no longer counts on Hugo's beds
        self.assertNotIn(nightfile.home_id(self.hugo_home), {h["id"] for h in doc["hosts"]})
        self.assertIn(nightfile.home_id(self.bea_home), {h["id"] for h in doc["hosts"]})
        self.assertIn(self.family.ticket, {p["id"] for p in doc["parties"]})  # to place again

    def test_a_reply_with_a_bad_signature_confirms_nothing(self):
        code = self.ask_hugo_by_sms()
        with override_settings(SMS_WEBHOOK_SECRET="another-key"):
            self.assertEqual(self.reply(f"1 {code}", at(17, 12)).status_code, 403)
        self.assertFalse(BedPledge.objects.get(pk=self.hugo_beds.pk).is_confirmed_on(self.today))
