"""A phone stops getting pushed messages when its volunteer logs out on it, and every member's
phone of a hub stops in a panic (the admin's own, which the panic keeps logged in, excepted)."""
from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from nightstay.hubs.models import Membership, Night, Role
from nightstay.messaging import outbox
from nightstay.messaging.models import PushSubscription
from tests.messaging.push_service import PushService
from tests.web.base import HubTestCase

SUBSCRIBE = reverse("messaging:push_subscribe")
EVENING = datetime(2026, 11, 24, 17, 0, tzinfo=ZoneInfo("Europe/Brussels"))


@time_machine.travel(EVENING, tick=False)
@override_settings(MESSAGE_CHANNELS=["push", "email"], SITE_ROOT="https://nightstay.example")
class ForgetPushTests(HubTestCase):
    def setUp(self):
        self.service = self.enterContext(PushService())

    def phone_of(self, user, name: str, client: Client | None = None) -> Client:
        """``user`` logs in on a phone (its own browser, or ``client`` logged in already) and asks for messages on it."""
        if client is None:
            client = Client()
            client.force_login(user)
        answer = client.post(SUBSCRIBE, json.dumps(self.service.subscription(name)), content_type="application/json")
        self.assertEqual(answer.status_code, 201)
        return client

    def endpoints(self, user) -> set[str]:
        return {s.endpoint.rsplit("/", 1)[1] for s in PushSubscription.objects.filter(user=user)}

    def test_logging_out_on_a_phone_stops_that_phone_only(self):
        phone = self.phone_of(self.hugo, "hugo-phone")
        self.phone_of(self.hugo, "hugo-laptop")
        self.assertEqual(phone.post(reverse("logout")).status_code, 302)
        self.assertEqual(self.endpoints(self.hugo), {"hugo-laptop"})
        with self.captureOnCommitCallbacks(execute=True):  # a message now goes to the laptop only
            outbox.queue(self.hugo, Night.for_date(self.hub, self.today), "still_on", {"beds": 2}, about="p", asks=True)
        self.assertEqual([got.path for got in self.service.received], ["/push/hugo-laptop"])

    def test_the_last_phone_logged_out_means_e_mail_again(self):
        phone = self.phone_of(self.hugo, "hugo-phone")
        phone.post(reverse("logout"))
        with self.captureOnCommitCallbacks(execute=True):
            message = outbox.queue(self.hugo, Night.for_date(self.hub, self.today), "still_on", {"beds": 2},
                                   about="p", asks=True)
        message.refresh_from_db()
        self.assertEqual((message.state, message.channel), ("sent", "email"))
        self.assertEqual(self.service.received, [])
        self.assertEqual(len(mail.outbox), 1)

    def test_a_panic_stops_every_members_phone_but_the_admins_own_and_not_another_hubs(self):
        Membership.objects.create(user=self.dara, hub=self.other_hub, role=Role.DRIVER)  # Dara drives in both
        for user, name in ((self.hugo, "hugo"), (self.dara, "dara"), (self.colette, "colette"), (self.otto, "otto")):
            self.phone_of(user, name)
        self.phone_of(self.adele, "adele-old-phone")  # another session of the admin's: ended, forgotten
        self.log_in(self.adele)
        self.phone_of(self.adele, "adele", client=self.client)
        answer = self.client.post(reverse("panic", args=["brussels"]), {"confirm": "wipe"})
        self.assertContains(answer, "data is gone")
        forgotten = {s.user_id for s in PushSubscription.objects.all()}
        self.assertEqual(forgotten, {self.otto.pk, self.adele.pk})
        self.assertEqual(self.endpoints(self.adele), {"adele"})  # the phone that pressed the button
        self.assertEqual(self.endpoints(self.dara), set())  # a member of two hubs subscribes again
        self.phone_of(self.dara, "dara-again")
        self.assertEqual(self.endpoints(self.dara), {"dara-again"})
