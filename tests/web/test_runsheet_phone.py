"""A run-sheet link opens on one phone, shows what that phone may see, and is audited under
whoever looks: the attacks of a copied link, a coordinator at a driver's sheet, a tap on a
stop the driver is not at, and the limit that must not take the address from a driver at
the kerb."""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from nightstay.dispatch.models import RunSheetGrant
from nightstay.planning.models import Stop, Trip
from nightstay.dispatch.sheets import DEVICE_COOKIE
from nightstay.hubs.models import Role
from nightstay.pledges.models import Home
from nightstay.privacy.models import AddressReveal

from .base import make_user

from .test_runsheet import RunSheetTestCase

HUGO_STREET, BEA_STREET = "Rue du Trône 12", "Chaussée de Wavre 200"


class OnePhoneTests(RunSheetTestCase):
    def test_the_first_phone_gets_a_strict_cookie_scoped_to_the_link(self):
        r = self.client.get(self.sheet)
        self.assertContains(r, HUGO_STREET)
        cookie = r.cookies[DEVICE_COOKIE]
        self.assertEqual(cookie["path"], self.sheet)
        self.assertTrue(cookie["httponly"])
        self.assertEqual(cookie["samesite"], "Strict")
        self.assertFalse(cookie["secure"])  # plain HTTP here; over HTTPS it is Secure (next test)
        self.grant.refresh_from_db()
        self.assertEqual(self.grant.device_hash, RunSheetGrant.hash(cookie.value))
        self.assertNotIn(cookie.value, self.grant.device_hash)
        self.assertIsNotNone(self.grant.opened_at)

    def test_over_https_the_cookie_is_secure(self):
        r = self.client.get(self.sheet, secure=True)
        self.assertTrue(r.cookies[DEVICE_COOKIE]["secure"])

    def test_a_copied_link_opened_on_a_second_phone_reveals_nothing(self):
        self.add_stop_at_beas()
        self.assertContains(self.client.get(self.sheet), HUGO_STREET)  # the driver's phone
        before = AddressReveal.objects.count()
        thief = Client()
        r = thief.get(self.sheet)
        self.assertEqual(r.status_code, 403)
        self.assertContains(r, "already open on another phone", status_code=403)
        for street in (HUGO_STREET, BEA_STREET, "Ixelles", "FAMY"):
            self.assertNotContains(r, street, status_code=403)
        self.assertNotIn(DEVICE_COOKIE, r.cookies)
        thief.cookies[DEVICE_COOKIE] = "a guess"
        self.assertEqual(thief.get(self.sheet).status_code, 403)
        # nor can it move the driver on to the next address
        self.assertEqual(thief.post(reverse("departed", args=[self.grant.token(), self.trip.pk])).status_code, 403)
        r = thief.post(reverse("dropped", args=[self.grant.token(), self.stop.pk]), headers={"HX-Request": "true"})
        self.assertEqual(r.status_code, 403)
        self.assertEqual(r["HX-Refresh"], "true")
        self.trip.refresh_from_db()
        self.stop.refresh_from_db()
        self.assertIsNone(self.trip.departed_at)
        self.assertIsNone(self.stop.dropped_at)
        self.assertEqual(AddressReveal.objects.count(), before)
        self.assertContains(self.client.get(self.sheet), HUGO_STREET)  # the driver's phone still works

    def test_a_visit_from_another_site_reloads_from_this_one_before_it_is_judged(self):
        """A browser keeps a SameSite=Strict cookie back when the link is tapped on another site's
        page: the page reloads itself (same site, cookie sent); a phone without it is then refused."""
        self.client.get(self.sheet)
        r = Client().get(self.sheet, headers={"Sec-Fetch-Site": "cross-site"})
        self.assertContains(r, f'<meta http-equiv="refresh" content="0; url={self.sheet}?again=1">', html=False)
        self.assertNotContains(r, HUGO_STREET)
        r = Client().get(self.sheet + "?again=1", headers={"Sec-Fetch-Site": "same-origin"})
        self.assertEqual(r.status_code, 403)

    def test_a_new_link_revokes_the_old_and_opens_on_a_new_phone(self):
        self.client.get(self.sheet)
        self.log_in(self.colette)
        self.client.post(reverse("new_link", args=["brussels", self.grant.pk]))
        self.client.logout()
        new = RunSheetGrant.objects.get(revoked_at__isnull=True)
        self.assertEqual(self.client.get(self.sheet).status_code, 410)  # the old phone: closed
        phone = Client()
        self.assertContains(phone.get(reverse("run_sheet", args=[new.token()])), HUGO_STREET)

    def test_two_phones_opening_at_once_bind_one(self):
        """The binding is one conditional update: the loser sees the winner's binding, not its own."""
        grant = RunSheetGrant.objects.get(pk=self.grant.pk)
        late = RunSheetGrant.objects.get(pk=self.grant.pk)  # read before the other phone bound it
        self.assertTrue(grant.bind("first phone"))
        self.assertFalse(late.bind("second phone"))
        self.assertTrue(late.bind("first phone"))


class AuditedUnderWhoLooksTests(RunSheetTestCase):
    def test_a_coordinator_at_a_drivers_sheet_is_audited_under_her_own_account(self):
        self.log_in(self.colette)
        self.assertContains(self.client.get(self.sheet), HUGO_STREET)
        row = AddressReveal.objects.get()
        self.assertEqual((row.user, row.link_of), (self.colette, self.dara))
        self.assertEqual(row.device, RunSheetGrant.objects.get(pk=self.grant.pk).device_hash[:16])

    def test_the_driver_on_their_phone_is_audited_under_their_account_and_phone(self):
        r = self.client.get(self.sheet)
        row = AddressReveal.objects.get()
        self.assertEqual((row.user, row.link_of, row.object_id), (self.dara, None, str(self.hugo_home.pk)))
        self.assertEqual(row.device, RunSheetGrant.hash(r.cookies[DEVICE_COOKIE].value)[:16])


class DroppedOnlyWhereTheDriverIsTests(RunSheetTestCase):
    def setUp(self):
        super().setUp()
        self.further = self.add_stop_at_beas()
        self.client.get(self.sheet)

    def dropped(self, stop: Stop, **headers):
        return self.client.post(reverse("dropped", args=[self.grant.token(), stop.pk]), headers=headers)

    def assert_nothing_new(self):
        self.assertFalse(Stop.objects.filter(dropped_at__isnull=False).exists())
        self.assertFalse(AddressReveal.objects.filter(object_id=str(self.bea_home.pk)).exists())

    def test_before_departing_dropped_is_refused(self):
        r = self.dropped(self.stop)
        self.assertEqual(r.status_code, 409)
        self.assertContains(r, "Only the stop you are at", status_code=409)
        self.assertNotContains(r, BEA_STREET, status_code=409)
        self.assert_nothing_new()
        self.assertNotContains(self.client.get(self.sheet), ">Dropped<")  # nor offered

    def test_a_stop_further_on_is_refused_and_reveals_nothing(self):
        self.client.post(reverse("departed", args=[self.grant.token(), self.trip.pk]))
        r = self.dropped(self.further, **{"HX-Request": "true"})
        self.assertEqual(r.status_code, 409)
        self.assertEqual(r["HX-Refresh"], "true")  # htmx reloads the sheet as it stands
        self.assertNotContains(r, BEA_STREET, status_code=409)
        self.assert_nothing_new()
        self.assertContains(self.client.get(self.sheet), HUGO_STREET)

    def test_the_stop_the_driver_is_at_moves_on_and_a_second_tap_changes_nothing(self):
        self.client.post(reverse("departed", args=[self.grant.token(), self.trip.pk]))
        self.assertContains(self.dropped(self.stop, **{"HX-Request": "true"}), BEA_STREET)
        first = Stop.objects.get(pk=self.stop.pk).dropped_at
        self.assertIsNotNone(first)
        self.assertEqual(self.dropped(self.stop).status_code, 302)  # a double tap: no harm, no change
        self.assertEqual(Stop.objects.get(pk=self.stop.pk).dropped_at, first)
        self.assertEqual(self.dropped(self.further).status_code, 302)
        self.assertIsNotNone(Stop.objects.get(pk=self.further.pk).dropped_at)


class LimitByAddressTests(RunSheetTestCase):
    @override_settings(ADDRESS_REVEALS_PER_MINUTE=5)
    def test_a_driver_reloading_six_times_in_a_minute_still_sees_the_address(self):
        for n in range(6):
            r = self.client.get(self.sheet)
            self.assertContains(r, HUGO_STREET, msg_prefix=f"reload {n + 1}")
        self.assertEqual(AddressReveal.objects.count(), 6)  # every showing audited, one address counted

    @override_settings(ADDRESS_REVEALS_PER_MINUTE=2)
    def test_one_person_opening_many_sheets_is_held_back_at_the_limit(self):
        """A coordinator who got hold of three drivers' links, each opened on a phone of its own:
        the limit follows her account, not the links, the drivers or the phones."""
        third = Home.objects.create(hub=self.hub, host=self.pia, address="Rue Haute 3, 1000 Bruxelles",
                                    lat=50.84, lon=4.35, area="Marolles")
        stops = [self.stop, self.trip_for(make_user("d1@example.org", "Dan", self.hub, Role.DRIVER), self.bea_home),
                 self.trip_for(make_user("d2@example.org", "Dev", self.hub, Role.DRIVER), third)]
        self.log_in(self.colette)
        seen = []
        for stop in stops:
            grant = (RunSheetGrant.objects.filter(driver=stop.trip.driver).first()
                     or RunSheetGrant.issue(self.night, stop.trip.driver)[0])
            phone = Client()
            phone.cookies[settings.SESSION_COOKIE_NAME] = self.client.cookies[settings.SESSION_COOKIE_NAME].value
            seen.append(phone.get(reverse("run_sheet", args=[grant.token()])))
        self.assertContains(seen[0], HUGO_STREET)
        self.assertContains(seen[1], BEA_STREET)
        self.assertNotContains(seen[2], "Rue Haute")
        self.assertContains(seen[2], "Address held back")
        self.assertEqual(set(AddressReveal.objects.values_list("user", flat=True)), {self.colette.pk})
        self.assertEqual(AddressReveal.objects.count(), 2)

    def trip_for(self, driver, home) -> Stop:
        trip = Trip.objects.create(night=self.night, driver=driver, seq=1, depart=self.trip.depart, end="home",
                                   end_at=self.trip.end_at)
        return Stop.objects.create(trip=trip, order=1, home=home, arrive=self.stop.arrive + timedelta(minutes=5))
