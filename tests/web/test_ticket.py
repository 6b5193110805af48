"""The guest's ticket page: no account, a long secret link, their language, never an address."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.utils import timezone

from nightstay.planning.models import Placement, Stop, Trip
from nightstay.intake.models import Party

from .base import HubTestCase

TZ = ZoneInfo("Europe/Brussels")
TONIGHT = datetime(2026, 11, 24, 20, 0, tzinfo=TZ)


@time_machine.travel(TONIGHT, tick=False)
class TicketPageTests(HubTestCase):
    def setUp(self):
        self.night = self.hub.tonight()
        self.party = Party.objects.create(night=self.night, ticket="KXRT", waiting_since=TONIGHT, languages="ti,en")
        self.url = f"/intake/ticket/{self.party.guest_token()}/"

    def place_in_car(self, announced=True):
        trip = Trip.objects.create(night=self.night, driver=self.dara, seq=1, end="home",
                                   depart=TONIGHT.replace(hour=21, minute=40), end_at=TONIGHT.replace(hour=23))
        stop = Stop.objects.create(trip=trip, order=1, home=self.hugo_home, arrive=TONIGHT.replace(hour=22))
        return Placement.objects.create(night=self.night, party=self.party, home=self.hugo_home, stop=stop,
                                        announced=announced)

    def test_a_guest_opens_it_without_an_account_and_nothing_is_kept(self):
        r = self.client.get(self.url + "en/")
        self.assertContains(r, '<p class="ticket big" dir="ltr">KXRT</p>', html=False)
        self.assertContains(r, "We will call your code")
        self.assertEqual(r["Cache-Control"], "no-store")
        self.assertEqual(r.cookies, {})
        self.assertNotContains(r, "csrfmiddlewaretoken")

    def test_the_four_letters_alone_or_a_forged_link_find_nothing(self):
        self.assertEqual(self.client.get("/intake/ticket/KXRT/").status_code, 404)
        token = self.party.guest_token()
        self.assertEqual(self.client.get(f"/intake/ticket/{token[:-2]}xx/").status_code, 404)
        self.assertEqual(self.client.get(f"/intake/ticket/{self.party.pk.hex}/").status_code, 404)
        self.assertEqual(self.client.get(self.url + "de/").status_code, 404)

    def test_the_partys_language_is_the_default_and_one_tap_switches(self):
        r = self.client.get(self.url)
        self.assertContains(r, '<html lang="ti">', html=False)
        self.assertEqual(r["Content-Language"], "ti")
        for code in ("en", "fr", "nl", "ar", "ti"):
            self.assertContains(r, f'href="{self.url}{code}/"')

    def test_without_a_party_language_the_phones_language_is_the_default(self):
        self.party.languages = "om"
        self.party.save()
        r = self.client.get(self.url, HTTP_ACCEPT_LANGUAGE="ar-EG,ar;q=0.9,en;q=0.5")
        self.assertContains(r, '<html lang="ar" dir="rtl">', html=False)
        r = self.client.get(self.url, HTTP_ACCEPT_LANGUAGE="de")
        self.assertContains(r, '<html lang="en">', html=False)

    def test_arabic_is_right_to_left(self):
        r = self.client.get(self.url + "ar/")
        self.assertContains(r, '<html lang="ar" dir="rtl">', html=False)
        self.assertNotContains(self.client.get(self.url + "fr/"), 'dir="rtl"')

    def test_an_announced_ride_says_when_and_with_whom_never_where(self):
        self.place_in_car()
        r = self.client.get(self.url + "en/")
        self.assertContains(r, "Your ride leaves at 21:40 with Dara.")
        self.assertNotContains(r, "Trône")
        self.assertNotContains(r, "Ixelles")

    def test_a_placement_not_yet_announced_still_says_wait(self):
        self.place_in_car(announced=False)
        self.assertContains(self.client.get(self.url + "en/"), "We will call your code")

    def test_walk_to_the_dormitory_and_a_host_who_picks_up(self):
        placement = Placement.objects.create(night=self.night, party=self.party, shelter=self.dormitory, announced=True)
        self.assertContains(self.client.get(self.url + "en/"), "Walk with a volunteer to the dormitory.")
        placement.delete()
        Placement.objects.create(night=self.night, party=self.party, home=self.hugo_home, announced=True)
        self.assertContains(self.client.get(self.url + "en/"), "Your host Hugo will meet you here")

    def test_a_party_that_left_sees_a_closed_ticket(self):
        self.party.status = Party.Status.LEFT
        self.party.save()
        self.assertContains(self.client.get(self.url + "en/"), "This ticket is closed.")

    def test_gone_once_the_night_is_purged(self):
        self.night.purged_at = timezone.now()
        self.night.save()
        self.assertEqual(self.client.get(self.url).status_code, 410)
        self.night.purged_at = None
        self.night.save()
        self.party.delete()
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 410)
        self.assertEqual(r["Cache-Control"], "no-store")

    def test_after_the_night_without_a_place(self):
        with time_machine.travel(TONIGHT + timedelta(hours=6), tick=False):
            self.assertContains(self.client.get(self.url + "en/"), "Tonight is over")

    def test_the_coordinators_phone_can_show_it_too(self):
        self.log_in(self.colette)
        self.assertContains(self.client.get(self.url + "en/"), "KXRT")

    def test_query_count(self):
        with self.assertNumQueries(1):
            self.client.get(self.url + "en/")


@time_machine.travel(TONIGHT, tick=False)
class TicketRefreshTests(HubTestCase):
    def test_a_waiting_ticket_polls_like_the_other_live_pages_and_offers_a_reload_without_script(self):
        night = self.hub.tonight()
        party = Party.objects.create(night=night, ticket="KXRT", waiting_since=TONIGHT)
        url = f"/intake/ticket/{party.guest_token()}/ar/"
        r = self.client.get(url)
        self.assertNotContains(r, 'http-equiv="refresh"')  # no reload that moves the page under a finger
        self.assertContains(r, f'data-live="{url}?since={night.version}"', html=False)
        self.assertContains(r, "nightstay/live.js")
        self.assertContains(r, f'<a href="{url}" class="button secondary">أعيدوا تحميل الصفحة</a>', html=False)
        self.assertEqual(self.client.get(url, {"since": night.version}).status_code, 204)
        party.status = Party.Status.ARRIVED
        party.save()
        self.assertNotContains(self.client.get(url), 'class="button secondary"')  # nothing more to wait for
