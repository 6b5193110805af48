"""No phone number, code, answer token or push endpoint in any log line of the messaging flows.

A scripted evening, every logger caught at DEBUG (httpx, urllib3 and pywebpush included): a
volunteer checks her number by SMS, an urgent question goes by SMS through the gateway and by
web push, its answer link is opened and answered, another by an SMS reply through the signed
webhook, a refused reply and a forged webhook; then the log is searched for every secret.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import time

from django.test import override_settings

from nightstay.messaging import outbox
from nightstay.messaging.models import PushSubscription
from tests.messaging.push_service import PushService
from tests.messaging.test_sms import TEMPLATE, SmsTestCase
from tests.web.test_log_secrets import everything_logged


class MessagingLogTests(SmsTestCase):
    def webhook(self, text: str, sender: str, event_id: str, key: str = "webhook-signing-key"):
        body = json.dumps({"id": event_id, "event": "sms:received",
                           "payload": {"message": text, "phoneNumber": sender}}).encode()
        stamp = str(int(time.time()))
        signature = hmac.new(key.encode(), body + stamp.encode(), hashlib.sha256).hexdigest()
        return self.client.post("/m/sms/webhook/", body, content_type="application/json",
                                headers={"X-Signature": signature, "X-Timestamp": stamp})

    def test_a_messaging_evening_logs_no_phone_code_token_or_endpoint(self):
        service = self.enterContext(PushService())
        self.dara.phone = "+32470445566"
        self.dara.save()
        sub = service.subscription("dara-phone-7f3a9c2e")  # a short id: the shape rule alone would not hide it
        secrets = [self.hugo.phone, self.dara.phone, "470445566", "470112233", sub["endpoint"],
                   sub["keys"]["auth"], sub["keys"]["p256dh"]]
        with everything_logged() as log, override_settings(MESSAGE_CHANNELS=["push", "sms", "email"]):
            self.log_in(self.dara)
            self.client.post("/m/contact/", {"action": "send_code"})
            code = re.search(r"\b(\d{6})\b", self.gateway.sent[-1]["textMessage"]["text"]).group(1)
            self.client.post("/m/contact/", {"action": "check_code", "code": "000000"})
            self.client.post("/m/contact/", {"action": "check_code", "code": code})
            self.client.post("/m/push/subscribe/", json.dumps(sub), content_type="application/json")
            to_dara = self.queue(user=self.dara)  # by push: her phone subscribed
            with self.captureOnCommitCallbacks(execute=True):
                asked = outbox.queue(self.dara, self.night, TEMPLATE, about="pledge-8", asks=True)
            to_hugo = self.queue()  # by SMS through the gateway
            link = re.search(r"https?://\S+/m/(\S+)/", asked.body).group(1)
            self.client.get(f"/m/{link}/")
            self.client.post(f"/m/{link}/", {"answer": "yes"})
            self.client.post(f"/m/{link}x/", {"answer": "no"})  # a wrong token: 404, logged
            self.webhook(f"2 {to_hugo.reply_code}", "+32499000111", "e1")  # a stranger: refused
            self.webhook(f"2 {to_hugo.reply_code}", self.hugo.phone, "e2")
            self.webhook(f"1 {to_dara.reply_code}", self.dara.phone, "e2")  # a duplicate event id
            self.webhook("1 1234", self.hugo.phone, "e3", key="guessed")  # forged
            PushSubscription.objects.filter(user=self.dara).delete()
        text = log.getvalue()
        self.assertIn("sms webhook", text)  # the log was caught
        self.assertEqual([s for s in secrets + [code, link, to_hugo.reply_code, to_dara.reply_code]
                          if s in text], [])
        self.assertNotIn("/push/dara-phone", text)
