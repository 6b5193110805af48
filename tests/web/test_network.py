"""Hubs that help each other on one installation: counts, an offer of beds, the beds in the
taker's plan, nothing personal crossing, the lent place purged with the night."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from nightstay.hubs.models import Hub, Night, Role, Shelter
from nightstay.intake.models import Party
from nightstay.network.models import Member, Network, Offer
from nightstay.planning import runs
from nightstay.planning.nightfile import shelter_id
from nightstay.pledges.models import BedPledge, SeatPledge
from nightstay.privacy.retention import purge_night

from .base import HubTestCase, make_user

BRUSSELS = ZoneInfo("Europe/Brussels")
NINE_PM = datetime(2026, 11, 24, 21, 0, tzinfo=BRUSSELS)


@override_settings(PLAN_TIME_LIMIT=0.2)
class NetworkTestCase(HubTestCase):
    """Brussels (its dormitory, Hugo's beds, Dara's car) and Schaerbeek (four men waiting, no bed)
    share a network; Liège does not."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.north = Hub.objects.create(name="Schaerbeek - Gare du Nord", slug="schaerbeek", meeting_point="Gare du Nord",
                                       meeting_lat=50.8600, meeting_lon=4.3610, window_start=time(19),
                                       window_end=time(1))
        cls.bruno = make_user("bruno@example.org", "Bruno", cls.north, Role.COORDINATOR, totp=True)
        network = Network.objects.create(name="Brussels region")
        Member.objects.create(network=network, hub=cls.hub)
        Member.objects.create(network=network, hub=cls.north)
        BedPledge.objects.create(home=cls.hugo_home, beds=3, pickup="driver", first_date=cls.today,
                                 ready_from=time(21), latest_arrival=time(23, 30))
        SeatPledge.objects.create(hub=cls.hub, driver=cls.dara, seats=3, first_date=cls.today,
                                  available_from=time(20, 30), available_until=time(0, 30), home_lat=50.85, home_lon=4.40)
        with time_machine.travel(NINE_PM, tick=False):
            since = timezone.now() - timedelta(minutes=30)
            cls.north_night = cls.north.tonight()
            for i, nickname in enumerate(("Yonas", "Samir", "Aman", "Kidane")):
                Party.objects.create(night=cls.north_night, ticket=f"NRD{i}", size=1, gender="m",
                                     waiting_since=since, nickname=nickname)
            Party.objects.create(night=cls.hub.tonight(), ticket="BXL1", size=2, gender="mixed", nickname="Amal",
                                 waiting_since=since)

    def setUp(self):
        traveller = time_machine.travel(NINE_PM)
        traveller.start()
        self.addCleanup(traveller.stop)

    def url(self, name: str, hub: str = "brussels", **kwargs) -> str:
        return reverse(name, kwargs={"hub": hub, **kwargs})

    def offer_six(self) -> Offer:
        self.log_in(self.colette)
        r = self.client.post(self.url("network_offer"), {"beds": "6", "seats": "3", "to": f"hub:{self.north.pk}"})
        self.assertRedirects(r, self.url("network"), fetch_redirect_response=False)
        return Offer.objects.get()


class CountsTests(NetworkTestCase):
    def test_the_page_shows_each_hubs_counts_tonight(self):
        self.log_in(self.colette)
        r = self.client.get(self.url("network"))
        self.assertContains(r, "Schaerbeek - Gare du Nord")
        counts = {c["hub"]: c for c in [r.context["mine"], *r.context["others"]]}
        self.assertEqual(counts["Schaerbeek - Gare du Nord"]["waiting"], 4)
        self.assertEqual(counts["Schaerbeek - Gare du Nord"]["beds_free"], 0)
        self.assertEqual(counts[self.hub.name]["beds_free"], 123)  # the dormitory's 120 and Hugo's 3
        self.assertEqual(counts[self.hub.name]["seats_free"], 3)
        self.assertNotContains(r, "Liège")

    def test_a_hub_outside_the_network_sees_nobody(self):
        self.log_in(self.otto)
        r = self.client.get(self.url("network", hub="liege"))
        self.assertEqual(r.context["others"], [])
        self.assertNotContains(r, "Schaerbeek")
        self.assertEqual(self.client.get(self.url("network")).status_code, 404)


class OfferTests(NetworkTestCase):
    def test_an_accepted_offer_lends_beds_that_the_takers_plan_uses(self):
        offer = self.offer_six()
        self.log_in(self.bruno)
        r = self.client.get(self.url("network", hub="schaerbeek"))
        self.assertContains(r, "6 beds")
        self.client.post(self.url("network_accept", hub="schaerbeek", offer=offer.pk))
        offer.refresh_from_db()
        self.assertEqual((offer.state, offer.accepted_by), (Offer.State.ACCEPTED, self.north))
        lent = Shelter.objects.get(night=self.north_night)
        self.assertEqual((lent.hub, lent.beds, lent.reach), (self.north, 6, "walk"))  # Brussels' cars fetch them
        board = self.client.get(self.url("board", hub="schaerbeek"))
        self.assertContains(board, 'id="lent"')
        self.assertContains(board, f"{self.hub.name}: 6")
        run = runs.start(self.north_night, self.bruno)
        run.refresh_from_db()
        placed = {p["party"] for p in run.plan_json["placements"] if p["place"] == shelter_id(lent)}
        self.assertEqual(placed, {"NRD0", "NRD1", "NRD2", "NRD3"})
        # Brussels lent them: its counts say so, and the offer cannot be taken twice.
        self.log_in(self.colette)
        mine = self.client.get(self.url("network")).context["mine"]
        self.assertEqual((mine["beds_free"], mine["seats_free"]), (117, 0))
        self.log_in(self.bruno)
        self.client.post(self.url("network_accept", hub="schaerbeek", offer=offer.pk))
        self.assertEqual(Shelter.objects.filter(night=self.north_night).count(), 1)
        # Beds lent to Schaerbeek are its own tonight, not its to lend on.
        r = self.client.post(self.url("network_offer", hub="schaerbeek"), {"beds": "1"}, follow=True)
        self.assertContains(r, "Only 0 beds are free tonight.")

    def test_without_seats_the_taker_drives_to_the_lenders_park(self):
        self.log_in(self.colette)
        self.client.post(self.url("network_offer"), {"beds": "2", "seats": "0"})
        offer = Offer.objects.get()
        self.log_in(self.bruno)
        self.client.post(self.url("network_accept", hub="schaerbeek", offer=offer.pk))
        lent = Shelter.objects.get(night=self.north_night)
        self.assertEqual((lent.lat, lent.lon, lent.reach), (self.hub.meeting_lat, self.hub.meeting_lon, "drive"))

    def test_an_offer_beyond_the_free_beds_is_refused_and_says_why(self):
        self.log_in(self.colette)
        r = self.client.post(self.url("network_offer"), {"beds": "500"}, follow=True)
        self.assertContains(r, "Only 123 beds are free tonight.")
        r = self.client.post(self.url("network_offer"), {"beds": "two"}, follow=True)
        self.assertContains(r, "whole numbers")
        r = self.client.post(self.url("network_offer"), {"beds": "1", "to": f"hub:{self.other_hub.pk}"}, follow=True)
        self.assertContains(r, "not in your network")
        self.assertFalse(Offer.objects.exists())

    def test_an_offer_made_to_one_hub_is_not_open_to_another_and_can_be_withdrawn(self):
        offer = self.offer_six()
        self.log_in(self.otto)
        self.client.post(self.url("network_accept", hub="liege", offer=offer.pk))
        offer.refresh_from_db()
        self.assertEqual(offer.state, Offer.State.OFFERED)
        self.log_in(self.colette)
        self.client.post(self.url("network_withdraw", offer=offer.pk))
        offer.refresh_from_db()
        self.assertEqual(offer.state, Offer.State.WITHDRAWN)
        self.log_in(self.bruno)
        self.client.post(self.url("network_accept", hub="schaerbeek", offer=offer.pk))
        self.assertFalse(Shelter.objects.filter(night=self.north_night).exists())


class NothingPersonalCrossesTests(NetworkTestCase):
    def test_no_address_nickname_or_ticket_of_another_hub_in_any_answer(self):
        offer = self.offer_six()
        brussels = [self.client.get(self.url("network")).content.decode()]
        self.log_in(self.bruno)
        north = [self.client.get(self.url("network", hub="schaerbeek")).content.decode()]
        self.client.post(self.url("network_accept", hub="schaerbeek", offer=offer.pk))
        runs.start(self.north_night, self.bruno)
        north += [self.client.get(self.url(name, hub="schaerbeek")).content.decode() for name in ("network", "board")]
        self.log_in(self.colette)
        brussels.append(self.client.get(self.url("network")).content.decode())
        secrets_of_brussels = ("Rue du Trône", "Chaussée de Wavre", "Ixelles", "Hugo", "Dara", "Amal", "BXL1")
        secrets_of_north = ("Yonas", "Samir", "Aman", "Kidane", "NRD0", "NRD1", "NRD2", "NRD3", "Bruno")
        for page in north:
            for secret in secrets_of_brussels:
                self.assertNotIn(secret, page)
        for page in brussels:
            for secret in secrets_of_north:
                self.assertNotIn(secret, page)


class PurgeTests(NetworkTestCase):
    def test_the_lent_place_and_the_offer_go_with_their_nights(self):
        offer = self.offer_six()
        self.log_in(self.bruno)
        self.client.post(self.url("network_accept", hub="schaerbeek", offer=offer.pk))
        runs.start(self.north_night, self.bruno)
        purge_night(self.north_night)
        self.assertFalse(Shelter.objects.filter(night=self.north_night).exists())
        self.assertTrue(Shelter.objects.filter(night__isnull=True, hub=self.hub).exists())  # the dormitory stays
        purge_night(self.hub.tonight())
        self.assertFalse(Offer.objects.exists())

    def test_a_lent_place_is_not_in_tomorrows_night(self):
        offer = self.offer_six()
        self.log_in(self.bruno)
        self.client.post(self.url("network_accept", hub="schaerbeek", offer=offer.pk))
        tomorrow = Night.for_date(self.north, self.today + timedelta(days=1))
        self.assertFalse(Shelter.objects.open_for(tomorrow).exists())
        self.assertEqual(Shelter.objects.open_for(self.north_night).count(), 1)


class CommandTests(NetworkTestCase):
    def test_a_peer_is_linked_and_its_keys_rotate_from_the_environment(self):
        import os
        from io import StringIO
        from unittest import mock

        from django.core.management import CommandError, call_command

        from nightstay.network.models import Peer
        from nightstay.privacy.crypto import new_key_line

        old, new = new_key_line("k1"), new_key_line("k2")
        with mock.patch.dict(os.environ, {"NIGHTSTAY_PEER_KEYS": old}):
            call_command("network_peer", "brussels", "lille", "https://lille.example.org", "--name", "Lille",
                         stdout=StringIO())
        with mock.patch.dict(os.environ, {"NIGHTSTAY_PEER_KEYS": f"{new},{old}"}):
            out = StringIO()
            call_command("network_peer", "brussels", "lille", "https://lille.example.org", stdout=out)
        self.assertIn("keys k2, k1 (the first signs)", out.getvalue())
        self.assertEqual(Peer.objects.get().ring().current[0], "k2")
        with mock.patch.dict(os.environ, {"NIGHTSTAY_PEER_KEYS": "nonsense"}), self.assertRaises(CommandError):
            call_command("network_peer", "brussels", "lille", "https://lille.example.org")
        with self.assertRaisesMessage(CommandError, "no hub 'nowhere'"):
            call_command("network_join", "Brussels region", "brussels", "nowhere")
