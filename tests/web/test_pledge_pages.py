"""What a host or driver sees of their pledges.

Cancel tonight and withdraw, welcome cards shown once, tonight's totals, the start page's links.
"""
from datetime import date, timedelta

import time_machine

from nightstay.pledges.models import Recurrence, SeatPledge, WelcomeCard

from .base import HubTestCase
from .test_pledges import TONIGHT, TUESDAY, RefusalsMixin, bed_pledge


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
