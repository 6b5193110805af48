"""Every message of a scripted night, opened and read: no address, no nickname, no ticket.

The night is played as a coordinator plays it: plan, announce (hosts told), send every driver
their link, the driver's phone opens the sheet, a re-plan moves a guest (hosts and the driver
told), a word to the driver, then to every driver on the road. Then each message's subject
and body, and each e-mail that left, is searched for what must never travel in a message."""
from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import time_machine
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from nightstay.dispatch.models import RunSheetGrant
from nightstay.intake.models import Party
from nightstay.messaging.models import Message
from nightstay.planning import events, runs
from nightstay.planning.models import Placement, Trip
from nightstay.planning.nightfile import home_id
from nightstay.pledges.models import BedPledge, SeatPledge

from .scripted_night import NICKNAMES, ScriptedNightTestCase

EVENING = datetime(2026, 11, 24, 21, 0, tzinfo=ZoneInfo("Europe/Brussels"))


@override_settings(PLAN_TIME_LIMIT=0.2)
class MessageScanTests(ScriptedNightTestCase):
    evening = EVENING

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        BedPledge.objects.create(home=cls.hugo_home, beds=4, pickup="driver", first_date=cls.today, max_party=4,
                                 ready_from=time(21), latest_arrival=time(23, 30))
        BedPledge.objects.create(home=cls.bea_home, beds=2, pickup="self", first_date=cls.today,
                                 ready_from=time(21), latest_arrival=time(23, 30))
        SeatPledge.objects.create(hub=cls.hub, driver=cls.dara, seats=4, first_date=cls.today,
                                  available_from=time(20, 30), available_until=time(0, 30), home_lat=50.85,
                                  home_lon=4.40)

    def setUp(self):
        traveller = time_machine.travel(EVENING)  # ticking: plan runs are ordered
        traveller.start()
        self.addCleanup(traveller.stop)
        self.client.force_login(self.colette)
        session = self.client.session
        session["otp_device_id"] = self.colette.totpdevice_set.get().persistent_id
        session.save()

    def post(self, name: str, data: dict | None = None, **headers):
        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(reverse(name, args=["brussels"]), data or {}, headers=headers)
        self.assertLess(r.status_code, 400, name)
        return r

    def play(self) -> None:
        runs.start(self.night, self.colette)
        self.post("announce")
        self.post("send_links")
        grant = RunSheetGrant.objects.get(night=self.night, driver=self.dara, revoked_at__isnull=True)
        Client().get(reverse("run_sheet", args=[grant.token()]))  # the driver's phone opens it
        self.post("message_driver", {"driver": str(self.dara.pk), "text": "Fuel card in the glovebox tonight."})
        # A re-plan with a change: of the guests going to Hugo's by car, one goes to Béa's (she picks up).
        moved = Placement.objects.filter(night=self.night, announced=True, home=self.hugo_home,
                                         party__size=1).first()
        self.assertIsNotNone(moved, "the plan must send two parties to Hugo's by car for this scan")
        runs.start(self.night, self.colette)
        self.post("move", {"party": moved.party.ticket, "place": home_id(self.bea_home)}, HX_Request="true")
        self.assertTrue(Placement.objects.filter(party=moved.party, home=self.bea_home).exists())
        self.post("announce")
        trip = Trip.objects.filter(night=self.night, driver=self.dara).order_by("seq").first()
        self.assertIsNotNone(trip, "the plan must give Dara a trip for this scan")
        events.depart(trip, by=self.dara)
        self.post("message_road", {"text": "Roadworks on the ring: take the tunnel."})

    def test_no_message_of_the_night_holds_an_address_a_nickname_or_a_ticket(self):
        self.play()
        messages = list(Message.objects.filter(night=self.night))
        self.assertEqual({m.template for m in messages},
                         {"host_tonight", "run_sheet", "plan_changed", "from_coordinator"})
        self.assertEqual(sorted(m.recipient.first_name for m in messages if m.template == "plan_changed"),
                         ["Dara", "Hugo"])
        forbidden = ["Rue du Trône", "Trône", "Chaussée de Wavre", "Wavre", "1050", "Ixelles"]
        forbidden += NICKNAMES + list(Party.objects.filter(night=self.night).values_list("ticket", flat=True))
        forbidden += [g.token() for g in RunSheetGrant.objects.filter(night=self.night)] + ["/run/"]
        texts = [(f"{m.template} to {m.recipient.first_name}", f"{m.subject}\n{m.body}") for m in messages]
        texts += [(f"e-mail to {e.to}", f"{e.subject}\n{e.body}") for e in mail.outbox]
        self.assertEqual(len(mail.outbox), sum(m.state == "sent" for m in messages))
        for what, text in texts:
            for word in forbidden:
                self.assertNotIn(word.casefold(), text.casefold(), f"{what} holds {word!r}")
