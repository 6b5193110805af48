"""The board on a phone: what a coordinator needs next comes first, and no code the planner uses shows."""
from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import translation

from nightstay.planning import proposal, runs
from nightstay.dispatch.models import RunSheetGrant
from nightstay.planning.nightfile import home_id, shelter_id
from nightstay.intake.models import Party
from nightstay.planner import MESSAGES, Violation
from nightstay.pledges.models import BedPledge

from .test_board import BRUSSELS, NINE_PM, TonightTestCase


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
        self.assertIn("BIGF</a>&nbsp;9&nbsp;family / mixed", no_place)
        self.assertNotIn("mixed,", no_place.replace("family / mixed", ""))

    def test_the_waiting_list_says_men_too(self):
        self.log_in(self.colette)
        page = self.client.get(self.url("board")).content.decode()
        waiting = page.split("Waiting", 1)[1].split("</details>", 1)[0]  # not the footer's random CSRF token
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
        dorm = shelter_id(self.dormitory)

        def said(code, **values):
            with translation.override("en"):
                return view.say(Violation(code, {"party": "MENA", "place": dorm, **values}))

        at = "party MENA at Porte d'Ulysse: "
        self.assertEqual(said("gender_refused", gender="mixed"), at + "takes no family / mixed")
        self.assertEqual(said("gender_refused", gender="m"), at + "takes no men")
        self.assertEqual(said("party_too_big", most=2, size=3), at + "takes groups of 2 at most")
        self.assertEqual(said("minors_refused"), at + "takes no minors")
        self.assertEqual(said("no_common_language"), at + "no common language")

    def test_times_and_drivers_read_as_on_the_board(self):
        self.plan_now()
        view = proposal.build(runs.proposal(self.night))
        driver = next(iter(view.drivers))
        at = datetime(2026, 11, 24, 23, 47, 12, tzinfo=BRUSSELS)
        latest = datetime(2026, 11, 24, 23, 30, tzinfo=BRUSSELS)
        problem = Violation("stop_late", {"path": "trips[0].stops[0]", "driver": driver,
                                          "place": shelter_id(self.dormitory), "at": at, "latest": latest})
        with translation.override("en"):
            self.assertEqual(view.say(problem), "Dara reaches Porte d'Ulysse at 23:47, after 23:30")

    def test_refusals_read_in_the_coordinators_language(self):
        self.plan_now()
        self.log_in(self.colette)
        self.client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "fr"})
        r = self.client.post(self.url("move"), {"party": "WUMA", "place": shelter_id(self.dormitory)},
                             headers={"HX-Request": "true"})
        self.assertContains(r, "groupe WUMA à Porte d&#x27;Ulysse : refuse : femmes")

    def test_a_group_too_big_for_a_home(self):
        BedPledge.objects.filter(pk=self.hugo_beds.pk).update(beds=4, max_party=2)
        Party.objects.create(night=self.night, ticket="TRIO", size=3, gender="m",
                             waiting_since=datetime(2026, 11, 24, 20, 0, tzinfo=BRUSSELS))
        self.plan_now()
        self.log_in(self.colette)
        hugo = home_id(self.hugo_home)
        for lang, words in (("en", "takes groups of 2 at most"), ("fr", "groupes de 2 au plus")):
            self.client.cookies.load({settings.LANGUAGE_COOKIE_NAME: lang})
            r = self.client.post(self.url("move"), {"party": "TRIO", "place": hugo}, headers={"HX-Request": "true"})
            self.assertContains(r, words)

    def test_every_problem_of_the_planner_has_words_on_the_board(self):
        self.assertEqual(set(proposal.WORDS), set(MESSAGES))
        self.plan_now()
        view = proposal.build(runs.proposal(self.night))
        values = {"party": "MENA", "place": home_id(self.hugo_home), "placed": None, "driver": "D-x",
                  "path": "trips[0]", "n": 3, "beds": 2, "seats": 2, "gender": "f", "most": 2, "size": 3, "said": "'x'", "real": 1,
                  "first": 2000, "last": 2100, "format": "nightstay.plan/1", "at": NINE_PM, "earliest": NINE_PM,
                  "latest": NINE_PM}
        said = {}
        for lang in ("en", "fr", "nl"):
            with translation.override(lang):
                for code in MESSAGES:
                    said[lang, code] = view.say(Violation(code, values))
                    self.assertNotIn("%(", said[lang, code], code)
                    self.assertNotIn("H-", said[lang, code], code)  # the place by its name, never its id
        for code in MESSAGES:
            self.assertNotEqual(said["fr", code], said["en", code], code)
            self.assertNotEqual(said["nl", code], said["en", code], code)
