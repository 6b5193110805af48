"""A host sets up a home and pledges beds, a driver pledges seats, and either changes a pledge later."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine

from nightstay.pledges import areas
from nightstay.pledges.models import BedPledge, Home, Recurrence, SeatPledge
from nightstay.privacy.fields import Sealed

from .base import HubTestCase
from .test_pledges import TONIGHT, TUESDAY, RefusalsMixin, bed_pledge


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
        self.assertEqual((home.lat, home.lon), areas.coarse(50.841, 4.346, self.hub.meeting_lat, self.hub.meeting_lon))
        self.assertEqual(home.area, "Bruxelles-Ville / Brussel-Stad")
        self.assertIsInstance(home.address, Sealed)

    def test_the_area_list_is_the_fallback_and_the_address_is_kept_when_left_empty(self):
        self.log_in(self.hugo)
        before = Home.objects.get(pk=self.hugo_home.pk).__dict__["address"]
        r = self.client.post(self.url, {"address": "", "area": "Leuven"})
        self.assertEqual(r.status_code, 302)
        home = Home.objects.get(pk=self.hugo_home.pk)
        leuven = areas.coarse(50.879, 4.701, self.hub.meeting_lat, self.hub.meeting_lon)  # a 2 km cell, 25 km out
        self.assertEqual((home.lat, home.lon, home.area), (*leuven, "Leuven"))
        self.assertEqual(home.__dict__["address"], before)

    def test_a_new_address_alone_keeps_the_located_home_where_it_is(self):
        self.log_in(self.hugo)
        r = self.client.post(self.url, {"address": "Rue du Trône 14, 1050 Ixelles", "area": "Ixelles"})
        self.assertEqual(r.status_code, 302)
        home = Home.objects.get(pk=self.hugo_home.pk)
        self.assertEqual((home.lat, home.lon, home.area), (self.hugo_home.lat, self.hugo_home.lon, "Ixelles"))

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
