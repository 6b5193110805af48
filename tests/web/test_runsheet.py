"""A driver's run sheet: one exact address at a time, each showing audited, a light page, closed links."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import time_machine
from django.contrib.staticfiles import finders
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from nightstay.dispatch import announce
from nightstay.dispatch.models import RunSheetGrant
from nightstay.planning.models import Placement, Stop, Trip
from nightstay.intake.models import Party
from nightstay.privacy.models import AddressReveal

from .test_board import BRUSSELS, TonightTestCase

PAGE_BUDGET = 60 * 1024
REQUEST_BUDGET = 6


class RunSheetTestCase(TonightTestCase):
    def setUp(self):
        super().setUp()
        Placement.objects.create(night=self.night, party=self.family, home=self.hugo_home, pinned=True)
        Placement.objects.create(night=self.night, party=self.woman, home=self.bea_home, pinned=True)
        self.plan_now()
        announce.announce(self.night)
        self.grant = RunSheetGrant.objects.get(driver=self.dara)
        self.sheet = reverse("run_sheet", args=[self.grant.token()])
        self.trip = Trip.objects.get(driver=self.dara)
        self.stop = self.trip.stops.get()

    def add_stop_at_beas(self) -> Stop:
        """A second stop on the same trip (Béa's home), so that two addresses could be shown."""
        return Stop.objects.create(trip=self.trip, order=2, home=self.bea_home,
                                   arrive=self.stop.arrive + timedelta(minutes=10))


class RunSheetTests(RunSheetTestCase):
    def test_it_shows_the_next_stop_with_its_address_and_a_map_link(self):
        r = self.client.get(self.sheet)
        self.assertContains(r, "Dara")
        self.assertContains(r, "FAMY")
        self.assertContains(r, "Arabic, English")  # names, not the codes "ar,en"
        self.assertNotContains(r, "ar,en")
        self.assertContains(r, "Rue du Trône 12, 1050 Ixelles")
        self.assertContains(r, f'href="geo:{self.hugo_home.lat},{self.hugo_home.lon}'  # the home's cell; the address
                               '?q=Rue%20du%20Tr%C3%B4ne%2012%2C%201050%20Ixelles"')  # finds the door
        self.assertEqual(r["Cache-Control"], "no-store")

    def test_languages_read_in_the_drivers_language(self):
        self.client.cookies["django_language"] = "fr"
        r = self.client.get(self.sheet, headers={"Accept-Language": "fr"})
        self.assertContains(r, "arabe, anglais")

    def test_an_iphone_gets_a_map_link_it_opens_and_no_other_origin(self):
        iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
        r = self.client.get(self.sheet, headers={"User-Agent": iphone})
        self.assertContains(r, f'href="maps://?ll={self.hugo_home.lat},{self.hugo_home.lon}'  # the home's cell (main)
                               '&amp;q=Rue%20du%20Tr%C3%B4ne%2012%2C%201050%20Ixelles"')
        self.assertNotContains(r, "geo:")
        self.assertNotContains(r, "https://maps")

    def test_only_the_next_undelivered_address_is_shown(self):
        self.add_stop_at_beas()
        r = self.client.get(self.sheet)
        self.assertContains(r, "Rue du Trône")
        self.assertNotContains(r, "Chaussée de Wavre")
        later = timezone.localtime(self.stop.arrive + timedelta(minutes=10)).strftime("%H:%M")
        self.assertContains(r, f"<b>{later}</b> Ixelles", html=False)  # the later stop: its area and time
        self.client.post(reverse("departed", args=[self.grant.token(), self.trip.pk]))
        self.client.post(reverse("dropped", args=[self.grant.token(), self.stop.pk]))
        r = self.client.get(self.sheet)
        self.assertNotContains(r, "Rue du Trône")
        self.assertContains(r, "Chaussée de Wavre 200")

    def test_every_address_shown_is_one_audit_row(self):
        self.add_stop_at_beas()
        self.client.get(self.sheet)
        self.client.get(self.sheet)
        rows = AddressReveal.objects.all()
        self.assertEqual(len(rows), 2)
        self.assertEqual({(a.user, a.object_id, a.purpose) for a in rows},
                         {(self.dara, str(self.hugo_home.pk), "run sheet")})

    def test_no_address_no_audit_row_once_everyone_is_dropped(self):
        self.stop.dropped_at = datetime(2026, 11, 24, 21, 30, tzinfo=BRUSSELS)
        self.stop.save()
        r = self.client.get(self.sheet)
        self.assertNotContains(r, "Rue du Trône")
        self.assertFalse(AddressReveal.objects.exists())

    def test_a_shelter_stop_shows_its_public_name_and_reveals_nothing(self):
        self.stop.dropped_at = datetime(2026, 11, 24, 21, 30, tzinfo=BRUSSELS)
        self.stop.save()
        Stop.objects.create(trip=self.trip, order=2, shelter=self.dormitory, arrive=self.stop.arrive)
        r = self.client.get(self.sheet)
        self.assertContains(r, 'href="geo:50.861,4.358?q=Porte%20d%27Ulysse"')
        self.assertFalse(AddressReveal.objects.exists())

    @override_settings(ADDRESS_REVEALS_PER_MINUTE=1)
    def test_too_many_addresses_hold_the_next_one_back(self):
        """The limit counts different addresses: a second one within the minute is held back."""
        self.add_stop_at_beas()
        self.client.get(self.sheet)
        self.client.post(reverse("departed", args=[self.grant.token(), self.trip.pk]))
        self.client.post(reverse("dropped", args=[self.grant.token(), self.stop.pk]))
        r = self.client.get(self.sheet)
        self.assertEqual(r.status_code, 200)
        self.assertNotContains(r, "Chaussée de Wavre")
        self.assertContains(r, "Address held back")
        self.assertEqual(AddressReveal.objects.count(), 1)

    def test_the_page_is_light(self):
        r = self.client.get(self.sheet)
        html = r.content.decode()
        assets = re.findall(r'(?:src|href)="/static/([^"]+)"', html)
        self.assertLess(1 + len(assets), REQUEST_BUDGET)
        size = len(r.content) + sum(len(open(finders.find(a), "rb").read()) for a in assets)
        self.assertLess(size, PAGE_BUDGET, f"{size} bytes")
        self.assertNotIn("http", "".join(re.findall(r'(?:src|href)="([^"]+)"', html)))

    def test_queries(self):
        # The link, binding this phone, the board's "opened" tick, the trips, the limits (a slot for the
        # person and one for the phone, taken atomically: 6 queries in the database cache, none when
        # Redis holds the cache), the audit row, what it showed, lateness.
        with self.assertNumQueries(15):
            self.client.get(self.sheet)
        with self.assertNumQueries(18):  # a reload: the phone is known; its address keeps its two slots
            self.client.get(self.sheet)

    def test_departed(self):
        r = self.client.post(reverse("departed", args=[self.grant.token(), self.trip.pk]),
                             headers={"HX-Request": "true"})
        self.assertTemplateUsed(r, "dispatch/_run_sheet.html")
        self.assertTemplateNotUsed(r, "dispatch/run_sheet.html")
        self.trip.refresh_from_db()
        self.assertIsNotNone(self.trip.departed_at)
        self.assertEqual(Party.objects.get(pk=self.family.pk).status, Party.Status.ON_THE_WAY)
        self.assertEqual(Party.objects.get(pk=self.woman.pk).status, Party.Status.PLACED)  # Béa picks her up

    def test_dropped(self):
        self.client.post(reverse("departed", args=[self.grant.token(), self.trip.pk]))
        r = self.client.post(reverse("dropped", args=[self.grant.token(), self.stop.pk]))
        self.assertRedirects(r, self.sheet)
        self.stop.refresh_from_db()
        self.assertIsNotNone(self.stop.dropped_at)

    def test_marks_are_post_only(self):
        r = self.client.get(reverse("dropped", args=[self.grant.token(), self.stop.pk]))
        self.assertEqual(r.status_code, 405)

    def test_another_drivers_stop_is_not_found(self):
        other, token = RunSheetGrant.issue(self.night, self.bea)
        r = self.client.post(reverse("dropped", args=[token, self.stop.pk]))
        self.assertEqual(r.status_code, 404)
        r = self.client.get(reverse("run_sheet", args=[token]))
        self.assertContains(r, "No trip for you tonight")
        self.assertNotContains(r, "Rue du Trône")


class ClosedLinkTests(RunSheetTestCase):
    def test_unknown_link(self):
        self.assertEqual(self.client.get(reverse("run_sheet", args=["nope"])).status_code, 404)

    def test_a_forged_link_is_not_found(self):
        grant_id, _, mac = self.grant.token().partition(".")
        forged = f"{grant_id}.{mac[::-1]}"
        self.assertEqual(self.client.get(reverse("run_sheet", args=[forged])).status_code, 404)

    def test_a_deleted_grants_link_is_gone(self):
        token = self.grant.token()
        self.grant.delete()
        self.assertEqual(self.client.get(reverse("run_sheet", args=[token])).status_code, 410)

    def test_revoked_link_is_gone(self):
        self.grant.revoked_at = datetime(2026, 11, 24, 21, 5, tzinfo=BRUSSELS)
        self.grant.save()
        r = self.client.get(self.sheet)
        self.assertEqual(r.status_code, 410)
        self.assertNotContains(r, "Rue du Trône", status_code=410)
        r = self.client.post(reverse("dropped", args=[self.grant.token(), self.stop.pk]))
        self.assertEqual(r.status_code, 410)
        self.assertFalse(AddressReveal.objects.exists())

    def test_link_is_gone_when_the_night_ends(self):
        with time_machine.travel(self.night.end + timedelta(seconds=1)):
            r = self.client.get(self.sheet)
            self.assertEqual(r.status_code, 410)
            r = self.client.post(reverse("departed", args=[self.grant.token(), self.trip.pk]))
            self.assertEqual(r.status_code, 410)
        self.assertFalse(AddressReveal.objects.exists())

    def test_only_the_hash_is_stored(self):
        token = self.grant.token()
        self.assertNotEqual(self.grant.token_hash, token)
        self.assertFalse(RunSheetGrant.objects.filter(token_hash__contains=token).exists())


class DriverPageTests(RunSheetTestCase):
    def test_a_driver_finds_the_link(self):
        self.log_in(self.dara)
        r = self.client.get(reverse("driver_tonight", args=["brussels"]))
        self.assertContains(r, self.sheet)

    def test_no_link_before_the_announcement(self):
        RunSheetGrant.objects.all().delete()
        self.log_in(self.dara)
        r = self.client.get(reverse("driver_tonight", args=["brussels"]))
        self.assertContains(r, "No run sheet for you yet")

    def test_it_refuses_others(self):
        url = reverse("driver_tonight", args=["brussels"])
        r = self.client.get(url)
        self.assertEqual(r.status_code, 302)
        for user in (self.pia, self.hugo, self.colette, self.otto, self.cyril):
            self.log_in(user)
            self.assertEqual(self.client.get(url).status_code, 404, user.first_name)
