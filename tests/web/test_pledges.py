"""Homes, bed and seat pledges, welcome cards and tonight's totals."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from nightstay.pledges import areas
from nightstay.pledges.models import BedPledge, Home, Recurrence, SeatPledge, WelcomeCard
from nightstay.pledges.words import WORDS
from nightstay.privacy.fields import Sealed

from .base import HubTestCase

TONIGHT = datetime(2026, 11, 24, 20, 0, tzinfo=ZoneInfo("Europe/Brussels"))  # a Tuesday
TUESDAY = date(2026, 11, 24)


def bed_pledge(home, **fields) -> BedPledge:
    values = dict(home=home, beds=2, pickup="driver", first_date=TUESDAY, genders="m")
    return BedPledge.objects.create(**{**values, **fields})


class RefusalsMixin:
    """Every page's refused visitors: anonymous, no role, wrong role, other hub, no second factor."""

    def assert_refused(self, url, *users, method="get", data=None):
        send = getattr(self.client, method)
        self.client.logout()
        r = send(url, data or {})
        self.assertEqual(r.status_code, 302, f"anonymous on {url}")
        self.assertIn(reverse("login"), r.url)
        for user in users:
            self.log_in(user)
            r = send(url, data or {})
            if user == self.cyril:
                self.assertEqual(r.status_code, 302)
                self.assertTrue(r.url.startswith(reverse("two_factor")), r.url)
            else:
                self.assertEqual(r.status_code, 404, f"{user} on {url}")


class RecurrenceTests(HubTestCase):
    def test_one_night_only(self):
        p = bed_pledge(self.hugo_home)
        self.assertTrue(p.is_open_on(TUESDAY))
        self.assertFalse(p.is_open_on(TUESDAY + timedelta(7)))
        self.assertFalse(p.is_open_on(TUESDAY - timedelta(1)))

    def test_every_tuesday(self):
        p = bed_pledge(self.hugo_home, recurrence=Recurrence.WEEKLY)
        self.assertEqual(p.open_nights(TUESDAY, 21), [TUESDAY, TUESDAY + timedelta(7), TUESDAY + timedelta(14)])
        self.assertEqual(p.describe(), "every Tuesday")

    def test_every_third_week(self):
        p = bed_pledge(self.hugo_home, recurrence=Recurrence.EVERY_N_WEEKS, every_weeks=3)
        self.assertEqual(p.open_nights(TUESDAY, 50), [TUESDAY, TUESDAY + timedelta(21), TUESDAY + timedelta(42)])
        self.assertEqual(p.describe(), "every 3 weeks on Tuesday")

    def test_every_night_this_month(self):
        p = bed_pledge(self.hugo_home, recurrence=Recurrence.DAILY, until=date(2026, 11, 30))
        self.assertEqual(len(p.open_nights(TUESDAY, 30)), 7)
        self.assertFalse(p.is_open_on(date(2026, 12, 1)))
        self.assertTrue(p.is_over(date(2026, 12, 1)))

    def test_a_cancelled_night_skips_only_that_night(self):
        p = bed_pledge(self.hugo_home, recurrence=Recurrence.WEEKLY)
        p.cancel_night(TUESDAY)
        p.cancel_night(TUESDAY)
        p.refresh_from_db()
        self.assertEqual(p.cancelled_dates, ["2026-11-24"])
        self.assertFalse(p.is_open_on(TUESDAY))
        self.assertTrue(p.is_open_on(TUESDAY + timedelta(7)))

    def test_a_withdrawn_pledge_offers_nothing(self):
        p = bed_pledge(self.hugo_home, recurrence=Recurrence.DAILY, until=date(2026, 12, 31))
        p.withdraw()
        self.assertEqual(p.open_nights(TUESDAY, 30), [])
        self.assertTrue(p.is_over(TUESDAY))

    def test_open_on_finds_the_hubs_open_pledges_only(self):
        weekly = bed_pledge(self.hugo_home, recurrence=Recurrence.WEEKLY, first_date=TUESDAY - timedelta(7))
        bed_pledge(self.bea_home, first_date=TUESDAY + timedelta(1))
        bed_pledge(self.bea_home, recurrence=Recurrence.DAILY, first_date=TUESDAY - timedelta(3),
                   until=TUESDAY - timedelta(1))
        liege = Home.objects.create(hub=self.other_hub, host=self.otto, address="x", lat=50.6, lon=5.5, area="Liège")
        bed_pledge(liege)
        self.assertEqual(BedPledge.objects.filter(home__hub=self.hub).open_on(TUESDAY), [weekly])

    def test_accepts_and_languages_as_lists(self):
        p = bed_pledge(self.hugo_home, genders="mixed,m", languages="fr,en")
        self.assertEqual(p.accepts_list, ["m", "mixed"])
        self.assertEqual(p.language_list, ["fr", "en"])

    def test_seat_pledges_recur_the_same_way(self):
        s = SeatPledge.objects.create(hub=self.hub, driver=self.dara, first_date=TUESDAY, recurrence=Recurrence.WEEKLY,
                                      home_lat=50.8312, home_lon=4.3721)
        self.assertEqual(SeatPledge.objects.filter(hub=self.hub).open_on(TUESDAY + timedelta(7)), [s])
        self.assertEqual((s.home_lat, s.home_lon), (50.83, 4.37))


class WelcomeCardTests(HubTestCase):
    def test_the_phrase_finds_the_home_and_is_not_stored(self):
        card, phrase = WelcomeCard.issue(self.hugo_home)
        self.assertEqual(len(phrase.split("-")), 4)
        self.assertNotIn(phrase, card.phrase_hash)
        self.assertEqual(WelcomeCard.find_home(self.hub, phrase.upper().replace("-", " ")), self.hugo_home)

    def test_a_wrong_phrase_or_another_hub_finds_nothing(self):
        _card, phrase = WelcomeCard.issue(self.hugo_home)
        self.assertIsNone(WelcomeCard.find_home(self.hub, "apple banjo cabin daisy"))
        self.assertIsNone(WelcomeCard.find_home(self.other_hub, phrase))
        self.assertIsNone(WelcomeCard.find_home(self.hub, "too short"))

    def test_two_cards_of_one_phrase_salt_differently(self):
        a, _ = WelcomeCard.issue(self.hugo_home)
        b, _ = WelcomeCard.issue(self.hugo_home)
        self.assertNotEqual(a.phrase_hash.split("$")[1], b.phrase_hash.split("$")[1])

    def test_the_word_list_has_256_distinct_words(self):
        self.assertEqual(len(set(WORDS)), 256)
        self.assertEqual(len({w[:4] for w in WORDS}), 256)


class AreasTests(HubTestCase):
    def test_the_list_has_brusselss_19_communes_and_nearby_towns(self):
        names = [a.name for a in areas.areas()]
        self.assertIn("Leuven", names)
        self.assertIn("Ixelles / Elsene", names)
        self.assertGreaterEqual(len(names), 19 + 10)

    def test_nearest(self):
        self.assertEqual(areas.nearest(50.8366, 4.3680).name, "Ixelles / Elsene")


@time_machine.travel(TONIGHT, tick=False)
class HomeViewTests(RefusalsMixin, HubTestCase):
    url = "/pledges/brussels/home/"

    def test_refused(self):
        self.assert_refused(self.url, self.pia, self.dara, self.colette, self.otto)

    def test_a_new_host_sets_up_a_home_from_the_phones_location(self):
        host = self.dara
        from nightstay.hubs.models import Membership
        Membership.objects.create(user=host, hub=self.hub, role="host")
        self.log_in(host)
        r = self.client.get(self.url)
        self.assertEqual(r["Permissions-Policy"].split(",")[0], "geolocation=(self)")
        r = self.client.post(self.url, {"address": "Rue Haute 1, 1000 Bruxelles", "lat": "50.84123", "lon": "4.34567"})
        self.assertRedirects(r, "/pledges/brussels/", fetch_redirect_response=False)
        home = Home.objects.get(host=host)
        self.assertEqual((home.lat, home.lon), (50.841, 4.346))
        self.assertEqual(home.area, "Bruxelles-Ville / Brussel-Stad")
        self.assertIsInstance(home.address, Sealed)

    def test_the_area_list_is_the_fallback_and_the_address_is_kept_when_left_empty(self):
        self.log_in(self.hugo)
        before = Home.objects.get(pk=self.hugo_home.pk).__dict__["address"]
        r = self.client.post(self.url, {"address": "", "area": "Leuven"})
        self.assertEqual(r.status_code, 302)
        home = Home.objects.get(pk=self.hugo_home.pk)
        self.assertEqual((home.lat, home.lon, home.area), (50.879, 4.701, "Leuven"))
        self.assertEqual(home.__dict__["address"], before)

    def test_a_new_address_alone_keeps_the_located_home_where_it_is(self):
        self.log_in(self.hugo)
        r = self.client.post(self.url, {"address": "Rue du Trône 14, 1050 Ixelles", "area": "Ixelles"})
        self.assertEqual(r.status_code, 302)
        home = Home.objects.get(pk=self.hugo_home.pk)
        self.assertEqual((home.lat, home.lon, home.area), (50.837, 4.368, "Ixelles"))

    def test_the_page_never_shows_the_address(self):
        self.log_in(self.hugo)
        self.assertNotContains(self.client.get(self.url), "Trône")

    def test_no_location_and_a_far_location_are_refused_with_a_message(self):
        self.log_in(self.hugo)
        r = self.client.post(self.url, {"address": "Rue Neuve 3"})
        self.assertContains(r, "choose the area")
        self.assertContains(r, "Rue Neuve 3")
        r = self.client.post(self.url, {"address": "Rue Neuve 3", "lat": "48.85", "lon": "2.35"})
        self.assertContains(r, "far from the hub")

    def test_a_new_home_needs_an_address(self):
        from nightstay.hubs.models import Membership
        Membership.objects.create(user=self.dara, hub=self.hub, role="host")
        self.log_in(self.dara)
        r = self.client.post(self.url, {"area": "Leuven"})
        self.assertContains(r, "Type the street address")
        self.assertFalse(Home.objects.filter(host=self.dara).exists())


@time_machine.travel(TONIGHT, tick=False)
class BedPledgeViewTests(RefusalsMixin, HubTestCase):
    url = "/pledges/brussels/beds/new/"

    def form(self, **over):
        data = {"recurrence": "once", "first_date": "2026-11-24", "every_weeks": "2", "until": "", "beds": "3",
                "max_party": "2", "genders": ["m", "mixed"], "pickup": "self", "languages": ["fr", "ar"],
                "ready_from": "21:00", "latest_arrival": "00:30", "welcomes_back": "on"}
        data.update(over)
        return data

    def test_refused(self):
        self.assert_refused(self.url, self.pia, self.dara, self.colette, self.otto)

    def test_a_host_pledges_beds_for_tonight(self):
        self.log_in(self.hugo)
        r = self.client.post(self.url, self.form())
        self.assertRedirects(r, "/pledges/brussels/", fetch_redirect_response=False)
        p = BedPledge.objects.get(home=self.hugo_home)
        self.assertEqual((p.beds, p.genders, p.languages, p.pickup, p.latest_arrival),
                         (3, "m,mixed", "ar,fr", "self", time(0, 30)))
        self.assertTrue(p.is_open_on(TUESDAY))

    def test_every_third_week(self):
        self.log_in(self.hugo)
        self.client.post(self.url, self.form(recurrence="nweeks", every_weeks="3"))
        p = BedPledge.objects.get(home=self.hugo_home)
        self.assertEqual((p.recurrence, p.every_weeks), ("nweeks", 3))

    def test_the_next_pledge_starts_from_the_last_answers(self):
        bed_pledge(self.hugo_home, beds=4, max_party=3, genders="f,mixed")
        self.log_in(self.hugo)
        r = self.client.get(self.url)
        self.assertContains(r, 'name="beds" value="4"')
        self.assertContains(r, 'value="f" id="id_genders_1" checked')
        self.assertNotContains(r, 'value="m" id="id_genders_0" checked')
        self.assertContains(r, 'name="first_date" value="2026-11-24"')

    def test_a_first_pledge_starts_tonight_and_a_daily_one_ends_with_the_month(self):
        self.log_in(self.hugo)
        r = self.client.get(self.url)
        self.assertContains(r, 'name="first_date" value="2026-11-24"')
        self.assertContains(r, 'name="until" value="2026-11-30"')
        self.assertNotContains(r, "---------")

    def test_before_noon_the_form_means_the_coming_evening_not_last_night(self):
        self.log_in(self.hugo)
        with time_machine.travel(datetime(2026, 11, 25, 9, 0, tzinfo=ZoneInfo("Europe/Brussels")), tick=False):
            r = self.client.get(self.url)
        self.assertContains(r, 'name="first_date" value="2026-11-25"')

    def test_bad_input_keeps_what_was_typed(self):
        self.log_in(self.hugo)
        cases = [
            (self.form(first_date="2026-11-20"), "This night has passed"),
            (self.form(recurrence="daily", until=""), "until which night"),
            (self.form(recurrence="daily", until="2026-11-01"), "after the first one"),
            (self.form(recurrence="nweeks", every_weeks="12"), "between 2 and 8"),
            (self.form(max_party="5"), "at most 3"),
            (self.form(genders=[]), "required"),
            (self.form(ready_from="22:00", latest_arrival="21:00"), "comes after you are ready"),
            (self.form(beds="0"), "Between 1 and 30"),
        ]
        for data, message in cases:
            r = self.client.post(self.url, data)
            self.assertEqual(r.status_code, 200, message)
            self.assertContains(r, message)
            self.assertContains(r, 'name="beds" value="%s"' % data["beds"])
        self.assertFalse(BedPledge.objects.exists())

    def test_a_host_without_a_home_sets_it_up_first(self):
        from nightstay.hubs.models import Membership
        Membership.objects.create(user=self.dara, hub=self.hub, role="host")
        self.log_in(self.dara)
        self.assertRedirects(self.client.get(self.url), "/pledges/brussels/home/", fetch_redirect_response=False)


@time_machine.travel(TONIGHT, tick=False)
class SeatPledgeViewTests(RefusalsMixin, HubTestCase):
    url = "/pledges/brussels/seats/new/"

    def test_refused(self):
        self.assert_refused(self.url, self.pia, self.hugo, self.colette, self.otto)

    def test_a_driver_pledges_seats_every_tuesday(self):
        self.log_in(self.dara)
        r = self.client.post(self.url, {"recurrence": "weekly", "first_date": "2026-11-24", "every_weeks": "2",
                                        "seats": "3", "available_from": "20:30", "available_until": "00:30",
                                        "area": "Schaerbeek / Schaarbeek"})
        self.assertEqual(r.status_code, 302)
        s = SeatPledge.objects.get(driver=self.dara)
        self.assertEqual((s.seats, s.home_lat, s.home_lon, s.recurrence), (3, 50.87, 4.38, "weekly"))

    def test_a_located_end_is_rounded_to_a_kilometre(self):
        self.log_in(self.bea)
        self.client.post(self.url, {"recurrence": "once", "first_date": "2026-11-24", "seats": "2",
                                    "available_from": "20:30", "available_until": "23:00",
                                    "lat": "50.83301", "lon": "4.37912"})
        s = SeatPledge.objects.get(driver=self.bea)
        self.assertEqual((s.home_lat, s.home_lon), (50.83, 4.38))

    def test_bad_input_keeps_what_was_typed(self):
        self.log_in(self.dara)
        r = self.client.post(self.url, {"recurrence": "once", "first_date": "2026-11-24", "seats": "12",
                                        "available_from": "20:30", "available_until": "19:00"})
        self.assertContains(r, "Between 1 and 8 seats")
        self.assertContains(r, "Free until comes after")
        self.assertContains(r, "choose the area")
        self.assertContains(r, 'value="12"')


@time_machine.travel(TONIGHT, tick=False)
class MyPledgesTests(RefusalsMixin, HubTestCase):
    url = "/pledges/brussels/"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.weekly = bed_pledge(cls.hugo_home, recurrence=Recurrence.WEEKLY, beds=3)
        cls.beas = bed_pledge(cls.bea_home, beds=1)
        cls.seats = SeatPledge.objects.create(hub=cls.hub, driver=cls.dara, first_date=TUESDAY, home_lat=50.8,
                                              home_lon=4.4, recurrence=Recurrence.DAILY, until=date(2026, 11, 30))

    def test_refused(self):
        self.assert_refused(self.url, self.pia, self.colette, self.otto)

    def test_a_host_sees_their_own_pledges_only(self):
        self.log_in(self.hugo)
        r = self.client.get(self.url)
        self.assertContains(r, "every Tuesday")
        self.assertContains(r, "Cancel tonight")
        self.assertContains(r, str(self.weekly.pk))
        self.assertNotContains(r, str(self.beas.pk))
        self.assertNotContains(r, "Pledge seats")

    def test_a_host_and_driver_sees_both(self):
        self.log_in(self.bea)
        r = self.client.get(self.url)
        self.assertContains(r, "Pledge beds")
        self.assertContains(r, "Pledge seats")

    def test_cancel_tonight_in_one_tap_with_htmx(self):
        self.log_in(self.hugo)
        url = f"/pledges/brussels/beds/{self.weekly.pk}/cancel/"
        r = self.client.post(url, {"day": "2026-11-24"}, HTTP_HX_REQUEST="true")
        self.assertContains(r, f'id="pledge-{self.weekly.pk}"')
        self.assertContains(r, "Cancelled for the night of Tue 24 Nov")
        self.assertNotContains(r, "<html")
        self.weekly.refresh_from_db()
        self.assertFalse(self.weekly.is_open_on(TUESDAY))
        self.assertTrue(self.weekly.is_open_on(TUESDAY + timedelta(7)))

    def test_withdraw_a_pattern_without_htmx(self):
        self.log_in(self.dara)
        r = self.client.post(f"/pledges/brussels/seats/{self.seats.pk}/withdraw/")
        self.assertRedirects(r, self.url, fetch_redirect_response=False)
        self.seats.refresh_from_db()
        self.assertTrue(self.seats.withdrawn)

    def test_a_host_cannot_touch_another_hosts_pledge(self):
        self.log_in(self.bea)
        for action in ("cancel", "withdraw"):
            r = self.client.post(f"/pledges/brussels/beds/{self.weekly.pk}/{action}/")
            self.assertEqual(r.status_code, 404)
        self.log_in(self.hugo)
        self.assertEqual(self.client.post(f"/pledges/brussels/seats/{self.seats.pk}/withdraw/").status_code, 404)
        self.weekly.refresh_from_db()
        self.assertEqual((self.weekly.withdrawn, self.weekly.cancelled_dates), (False, []))

    def test_cancel_and_withdraw_refuse_get_and_outsiders(self):
        url = f"/pledges/brussels/beds/{self.weekly.pk}/cancel/"
        self.log_in(self.hugo)
        self.assertEqual(self.client.get(url).status_code, 405)
        self.assert_refused(url, self.pia, self.colette, self.otto, method="post")


@time_machine.travel(TONIGHT, tick=False)
class WelcomeCardViewTests(RefusalsMixin, HubTestCase):
    url = "/pledges/brussels/cards/"

    def test_refused(self):
        self.assert_refused(self.url, self.pia, self.dara, self.colette, self.otto)

    def test_a_host_who_welcomes_back_gets_a_card_shown_once(self):
        bed_pledge(self.hugo_home, welcomes_back=True)
        self.log_in(self.hugo)
        r = self.client.post(self.url)
        phrase = r.context["phrase"]
        self.assertContains(r, phrase)
        self.assertEqual(WelcomeCard.find_home(self.hub, phrase), self.hugo_home)
        self.assertNotContains(self.client.get(self.url), phrase)

    def test_withdraw_all_cards(self):
        bed_pledge(self.hugo_home, welcomes_back=True)
        _card, phrase = WelcomeCard.issue(self.hugo_home)
        self.log_in(self.hugo)
        self.client.post(self.url, {"action": "withdraw_all"})
        self.assertIsNone(WelcomeCard.find_home(self.hub, phrase))

    def test_no_card_without_welcoming_back(self):
        bed_pledge(self.hugo_home, welcomes_back=False)
        self.log_in(self.hugo)
        r = self.client.post(self.url)
        self.assertIsNone(r.context["phrase"])
        self.assertFalse(WelcomeCard.objects.exists())


@time_machine.travel(TONIGHT, tick=False)
class TonightTotalsTests(RefusalsMixin, HubTestCase):
    url = "/pledges/brussels/tonight/"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        bed_pledge(cls.hugo_home, beds=3, pickup="self", genders="m,mixed", minors=True,
                   recurrence=Recurrence.WEEKLY, first_date=TUESDAY - timedelta(14))
        bed_pledge(cls.bea_home, beds=2, pickup="driver", genders="f")
        bed_pledge(cls.bea_home, beds=5, first_date=TUESDAY + timedelta(1))  # tomorrow: not counted
        withdrawn = bed_pledge(cls.bea_home, beds=9)
        withdrawn.withdraw()
        for driver, seats in ((cls.dara, 3), (cls.bea, 4)):
            SeatPledge.objects.create(hub=cls.hub, driver=driver, seats=seats, first_date=TUESDAY, home_lat=50.8,
                                      home_lon=4.4)

    def test_refused(self):
        self.assert_refused(self.url, self.pia, self.hugo, self.dara, self.cyril, self.otto)

    def test_totals(self):
        self.log_in(self.colette)
        with self.assertNumQueries(8):
            r = self.client.get(self.url)
        t = r.context["t"]
        self.assertEqual((t["beds"], t["beds_self"], t["beds_driver"], t["homes"]), (5, 3, 2, 2))
        self.assertEqual(t["by_gender"], {"m": 3, "f": 2, "mixed": 3})
        self.assertEqual((t["beds_minors"], t["seats"], t["drivers"], t["dormitory"]), (3, 7, 2, 120))
        self.assertNotContains(r, "Hugo")


@time_machine.travel(TONIGHT, tick=False)
class SeatDefaultsTests(HubTestCase):
    def test_a_host_and_driver_starts_from_the_homes_area_then_from_the_last_pledge(self):
        Home.objects.filter(pk=self.bea_home.pk).update(area="Ixelles / Elsene")
        self.log_in(self.bea)
        r = self.client.get("/pledges/brussels/seats/new/")
        self.assertContains(r, '<option value="Ixelles / Elsene" selected>', html=False)
        SeatPledge.objects.create(hub=self.hub, driver=self.bea, first_date=TUESDAY, home_lat=50.88, home_lon=4.70)
        r = self.client.get("/pledges/brussels/seats/new/")
        self.assertContains(r, '<option value="Leuven" selected>', html=False)


@time_machine.travel(TONIGHT, tick=False)
class EditPledgeTests(RefusalsMixin, HubTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.weekly = bed_pledge(cls.hugo_home, recurrence=Recurrence.WEEKLY, first_date=TUESDAY - timedelta(14),
                                beds=2, genders="m")
        cls.seats = SeatPledge.objects.create(hub=cls.hub, driver=cls.dara, first_date=TUESDAY, home_lat=50.88,
                                              home_lon=4.70)

    def test_refused(self):
        url = f"/pledges/brussels/beds/{self.weekly.pk}/"
        self.assert_refused(url, self.pia, self.colette, self.otto)
        self.log_in(self.bea)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.log_in(self.hugo)
        self.assertEqual(self.client.get(f"/pledges/brussels/seats/{self.seats.pk}/").status_code, 404)
        self.assertEqual(self.client.get(f"/pledges/brussels/cars/{self.weekly.pk}/").status_code, 404)

    def test_a_host_changes_a_pattern_that_started_weeks_ago(self):
        self.log_in(self.hugo)
        url = f"/pledges/brussels/beds/{self.weekly.pk}/"
        r = self.client.get(url)
        self.assertContains(r, 'name="first_date" value="2026-11-10"')
        data = {"recurrence": "weekly", "first_date": "2026-11-10", "beds": "4", "max_party": "2", "genders": ["m"],
                "pickup": "driver", "ready_from": "21:00", "latest_arrival": "23:30"}
        r = self.client.post(url, data)
        self.assertRedirects(r, "/pledges/brussels/", fetch_redirect_response=False)
        self.weekly.refresh_from_db()
        self.assertEqual((self.weekly.beds, self.weekly.first_date), (4, date(2026, 11, 10)))

    def test_a_driver_changes_seats_and_keeps_the_area(self):
        self.log_in(self.dara)
        url = f"/pledges/brussels/seats/{self.seats.pk}/"
        r = self.client.get(url)
        self.assertContains(r, '<option value="Leuven" selected>', html=False)
        self.client.post(url, {"recurrence": "once", "first_date": "2026-11-24", "seats": "4",
                               "available_from": "20:30", "available_until": "00:30", "area": "Leuven"})
        self.seats.refresh_from_db()
        self.assertEqual(self.seats.seats, 4)


class StartPageLinksTests(HubTestCase):
    def test_hosts_and_drivers_find_their_pledges_and_coordinators_intake(self):
        self.log_in(self.bea)
        r = self.client.get("/")
        self.assertContains(r, 'href="/pledges/brussels/"')
        self.assertNotContains(r, 'href="/intake/brussels/"')
        self.log_in(self.colette)
        r = self.client.get("/")
        self.assertContains(r, 'href="/intake/brussels/"')
        self.assertContains(r, 'href="/pledges/brussels/tonight/"')
        self.assertNotContains(r, 'href="/pledges/brussels/"')
