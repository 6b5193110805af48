"""A weekly pledge that ends says when: "every 2 weeks on Tuesday" that stops in six days is one night."""
from datetime import date

from nightstay.pledges.models import Recurrence

from .base import HubTestCase
from .test_pledges import TUESDAY, bed_pledge


class PatternWordsTests(HubTestCase):
    def test_a_pattern_with_a_last_night_names_it(self):
        p = bed_pledge(self.hugo_home, recurrence=Recurrence.EVERY_N_WEEKS, every_weeks=2, until=date(2026, 11, 30))
        self.assertEqual(p.describe(), "every 2 weeks on Tuesday until 30 November")
        p = bed_pledge(self.hugo_home, recurrence=Recurrence.WEEKLY, until=date(2026, 12, 31))
        self.assertEqual(p.describe(), "every Tuesday until 31 December")

    def test_a_pattern_without_end_says_none(self):
        self.assertEqual(bed_pledge(self.hugo_home, recurrence=Recurrence.WEEKLY).describe(), "every Tuesday")
        self.assertEqual(TUESDAY.weekday(), 1)
