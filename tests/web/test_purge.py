"""The purge: night rows 12 hours after the window, applications after 30 days, audit after 90."""
from datetime import datetime, timedelta
from io import StringIO

import time_machine
from django.core.management import call_command
from django.utils import timezone

from nightstay.figures.models import NightFigures
from nightstay.hubs.models import Night
from nightstay.privacy.labels import Retention
from nightstay.privacy.models import AddressReveal
from nightstay.privacy.retention import night_rows, night_scoped, platform_models, retentions, uncovered
from nightstay.volunteers.models import Application

from .base import HubTestCase
from .scripted_night import script_night

TZ = timezone.get_fixed_timezone(60)


def at(day, hour, minute=0):
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


def purge() -> str:
    out = StringIO()
    call_command("purge", stdout=out)
    return out.getvalue()


def test_every_night_labelled_model_is_covered_by_the_purge():
    assert uncovered() == []
    covered = {model for model, _ in night_scoped()}
    for model in platform_models():
        if Retention.NIGHT in retentions(model):
            assert model in covered, model


def test_the_night_scoped_models_are_the_ones_of_the_night():
    names = {model._meta.label for model, _ in night_scoped()}
    assert {"intake.Party", "planning.Placement", "planning.Trip", "planning.Stop", "planning.PlanRun",
            "dispatch.RunSheetGrant"} <= names


class PurgeTests(HubTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        with time_machine.travel(at(24, 20), tick=False):
            cls.night = cls.hub.tonight()
            script_night(cls, cls.night)

    def test_nothing_goes_before_twelve_hours_after_the_window(self):
        with time_machine.travel(at(25, 12, 59), tick=False):
            self.assertIn("nights purged: 0", purge())
        self.assertEqual(night_rows(self.night)["intake.Party"], 6)

    def test_thirteen_hours_after_the_window_no_night_row_remains(self):
        with time_machine.travel(at(25, 13, 1), tick=False):
            out = purge()
        self.assertIn("nights purged: 1", out)
        self.assertIn("intake.Party: 6", out)
        self.assertEqual(sum(night_rows(self.night).values()), 0)
        self.night.refresh_from_db()
        self.assertIsNotNone(self.night.purged_at)

    def test_a_second_run_deletes_nothing(self):
        with time_machine.travel(at(25, 13, 1), tick=False):
            purge()
            self.assertIn("nights purged: 0, night rows deleted: 0", purge())

    def test_counts_are_recorded_when_nobody_closed_the_night(self):
        with time_machine.travel(at(25, 13, 1), tick=False):
            purge()
        figures = NightFigures.objects.get(hub=self.hub, date=self.night.date)
        self.assertEqual((figures.people, figures.sheltered_dormitory, figures.sheltered_hosts, figures.left_waiting),
                         (9, 3, 4, 2))
        self.assertEqual((figures.vulnerable, figures.vulnerable_sheltered, figures.hosts, figures.drivers),
                         (5, 4, 2, 1))
        self.assertEqual(figures.driver_km, 12.5)

    def test_counts_of_a_closed_night_are_kept_as_closed(self):
        NightFigures.objects.create(hub=self.hub, date=self.night.date, people=500)
        with time_machine.travel(at(25, 13, 1), tick=False):
            purge()
        self.assertEqual(NightFigures.objects.get(hub=self.hub, date=self.night.date).people, 500)

    def test_the_homes_and_accounts_stay(self):
        with time_machine.travel(at(25, 13, 1), tick=False):
            purge()
        self.hugo_home.refresh_from_db()
        self.dara.refresh_from_db()

    def test_a_night_wiped_early_is_purged_again_on_time(self):
        from nightstay.privacy.retention import purge_night

        with time_machine.travel(at(24, 22), tick=False):
            purge_night(self.night)
            script_night(self, self.night)  # the night goes on after a panic
        with time_machine.travel(at(25, 13, 1), tick=False):
            self.assertIn("nights purged: 1", purge())
        self.assertEqual(sum(night_rows(self.night).values()), 0)

    def test_audit_rows_go_after_ninety_days(self):
        self.assertEqual(AddressReveal.objects.count(), 1)
        with time_machine.travel(at(24, 20) + timedelta(days=89), tick=False):
            purge()
        self.assertEqual(AddressReveal.objects.count(), 1)
        with time_machine.travel(at(24, 20) + timedelta(days=91), tick=False):
            purge()
        self.assertEqual(AddressReveal.objects.count(), 0)


class ApplicationPurgeTests(HubTestCase):
    def make(self, status, decided):
        return Application.objects.create(hub=self.hub, first_name="Noor", phone="+32 470 11 22 33",
                                          email="noor@example.org", area="Schaerbeek", offer="host",
                                          call_note="called, kind", status=status, decided_at=decided,
                                          decided_by=self.colette)

    def test_decided_applications_lose_their_personal_fields_after_thirty_days(self):
        with time_machine.travel(at(24, 20), tick=False):
            declined = self.make("declined", timezone.now() - timedelta(days=31))
            recent = self.make("approved", timezone.now() - timedelta(days=29))
            pending = self.make("pending", None)
            self.assertIn("applications blanked: 1", purge())
            self.assertIn("applications blanked: 0", purge())
        declined.refresh_from_db()
        self.assertEqual((declined.first_name, declined.phone, declined.email, declined.call_note), ("", "", "", ""))
        self.assertIsNone(declined.decided_by)
        self.assertEqual(declined.status, "declined")
        recent.refresh_from_db()
        pending.refresh_from_db()
        self.assertEqual((recent.first_name, pending.phone), ("Noor", "+32 470 11 22 33"))


    def test_an_application_nobody_decides_is_deleted_after_sixty_days(self):
        with time_machine.travel(at(24, 20) - timedelta(days=61), tick=False):
            forgotten = self.make("pending", None)
        with time_machine.travel(at(24, 20) - timedelta(days=59), tick=False):
            waiting = self.make("pending", None)
        with time_machine.travel(at(24, 20), tick=False):
            self.assertIn("undecided applications deleted: 1", purge())
            self.assertIn("undecided applications deleted: 0", purge())
        self.assertFalse(Application.objects.filter(pk=forgotten.pk).exists())
        self.assertTrue(Application.objects.filter(pk=waiting.pk).exists())

    def test_the_wait_is_a_setting(self):
        with time_machine.travel(at(24, 20) - timedelta(days=11), tick=False):
            self.make("pending", None)
        with self.settings(PENDING_APPLICATION_DAYS=10), time_machine.travel(at(24, 20), tick=False):
            self.assertIn("undecided applications deleted: 1", purge())


class NightForTests(HubTestCase):
    def test_purge_due_is_twelve_hours_after_the_end(self):
        night = Night.for_date(self.hub, self.today)
        self.assertEqual(night.purge_due() - night.end, timedelta(hours=12))


class EmptyNightTests(HubTestCase):
    def test_a_night_nobody_came_to_leaves_no_counts(self):
        with time_machine.travel(at(24, 20), tick=False):
            night = self.hub.tonight()
        with time_machine.travel(at(25, 13, 1), tick=False):
            self.assertIn("nights purged: 1", purge())
        self.assertFalse(NightFigures.objects.exists())
        night.refresh_from_db()
        self.assertIsNotNone(night.purged_at)
