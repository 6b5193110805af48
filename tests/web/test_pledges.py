"""Pledges as the models keep them (recurrence, welcome card phrases, areas), and the refusals
every pledge page shares.

The pages are tested in test_pledge_forms.py (homes, bed and seat pledges, edits) and
test_pledge_pages.py (my pledges, welcome cards, tonight's totals, the start page).
"""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse

from nightstay.pledges import areas
from nightstay.pledges.models import BedPledge, Home, Recurrence, SeatPledge, WelcomeCard
from nightstay.pledges.words import WORDS

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
