"""The board on a phone: what a coordinator needs next comes first, and no code the planner uses shows."""
from __future__ import annotations

from nightstay.planning import proposal, runs
from nightstay.dispatch.models import RunSheetGrant
from nightstay.planning.nightfile import shelter_id
from nightstay.intake.models import Party

from .test_board import TonightTestCase


class BoardOrderTests(TonightTestCase):
    def test_announce_comes_before_the_long_list_of_cars_and_places(self):
        self.plan_now()
        self.log_in(self.colette)
        page = self.client.get(self.url("board")).content.decode()
        self.assertLess(page.index(self.url("announce")), page.index("<h3>Cars</h3>"))

    def test_after_announcing_the_links_to_send_come_first(self):
        self.plan_now()
        self.log_in(self.colette)
        page = self.client.post(self.url("announce"), follow=True).content.decode()
        self.assertTrue(RunSheetGrant.objects.exists())
        self.assertLess(page.index("Run sheets"), page.index("On the road"))
        self.assertLess(page.index("Run sheets"), page.index('id="proposal"'))


class BoardWordsTests(TonightTestCase):
    def test_parties_say_men_women_family_not_the_planners_codes(self):
        Party.objects.create(night=self.night, ticket="BIGF", size=9, gender="mixed",
                             waiting_since=self.man1.waiting_since)
        self.plan_now()
        self.log_in(self.colette)
        r = self.client.get(self.url("board"))
        page = r.content.decode()
        no_place = page.split("<h3>No place</h3>", 1)[1].split("</p>", 1)[0]
        self.assertIn("BIGF</span>&nbsp;9&nbsp;family / mixed", no_place)
        self.assertNotIn("mixed,", no_place.replace("family / mixed", ""))
        waiting = page.split("Waiting", 1)[1]
        self.assertIn("MENA</span>&nbsp;1&nbsp;men", waiting)
        self.assertNotIn("1m", waiting)


class AtParkNamesTests(TonightTestCase):
    def test_a_host_who_picks_up_shows_their_area_a_driver_not(self):
        self.log_in(self.colette)
        page = self.client.get(self.url("board")).content.decode()
        tapped = page.split('id="volunteers"', 1)[1].split("</form>", 1)[0]
        self.assertIn(f"Béa <small>picks up · {self.bea_home.area}</small>", tapped)
        self.assertIn("Dara <small>driver</small>", tapped)


class BoardFiguresTests(TonightTestCase):
    def test_the_figures_count_the_shelters_beds_too(self):
        """451 people against "312 beds" read as 139 short, when the dormitory held 150 more."""
        self.log_in(self.colette)
        r = self.client.get(self.url("board"))
        self.assertContains(r, "<b>4</b> beds in homes · <b>120</b> in shelters", html=False)


class RefusalWordsTests(TonightTestCase):
    def test_the_planners_refusals_read_as_words(self):
        self.plan_now()
        view = proposal.build(runs.proposal(self.night))
        self.assertEqual(view.readable(f"party MENA at {shelter_id(self.dormitory)}: does not accept gender mixed"),
                         "party MENA at Porte d'Ulysse: takes no family / mixed")
        self.assertEqual(view.readable("x: does not accept gender m"), "x: takes no men")
        self.assertEqual(view.readable("x: max_party 2 < size 3"), "x: takes groups of 2 at most")
        self.assertEqual(view.readable("x: does not accept minors"), "x: takes no minors")
        self.assertEqual(view.readable("x: no common language"), "x: no common language")
