"""``make run``'s demo hub: realistic, idempotent, one account per role that can log in."""
import re
from datetime import datetime
from io import StringIO
from pathlib import Path
from tempfile import TemporaryDirectory

import time_machine
from django.core.management import call_command
from django.db.models import Sum
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from nightstay.accounts.models import User
from nightstay.figures.models import NightFigures
from nightstay.hubs.models import Hub, Membership, Role, Shelter
from nightstay.intake.models import Party
from nightstay.pledges.models import BedPledge, Home, SeatPledge

EVENING = datetime(2026, 11, 24, 20, 0, tzinfo=timezone.get_fixed_timezone(60))


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@time_machine.travel(EVENING, tick=False)
class DemoSetupTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        with time_machine.travel(EVENING, tick=False):
            cls.output = run("demo_setup")
        cls.hub = Hub.objects.get(slug="brussels")

    def counts(self):
        return [m.objects.count() for m in (Hub, Shelter, User, Membership, Home, BedPledge, SeatPledge, Party,
                                            TOTPDevice, NightFigures)]

    def test_the_hub_has_its_dormitory_and_family_shelter(self):
        self.assertEqual(self.hub.name, "Brussels - Parc Maximilien")
        dorm = Shelter.objects.get(hub=self.hub, reach="walk")
        self.assertEqual((dorm.name, dorm.beds, dorm.genders), ("Porte d'Ulysse", 120, "m"))
        self.assertTrue(Shelter.objects.filter(hub=self.hub, reach="drive", minors=True).exists())

    def test_a_realistic_night_is_waiting(self):
        night = self.hub.tonight()
        self.assertEqual(night.date.isoformat(), "2026-11-24")
        people = Party.objects.filter(night=night).aggregate(n=Sum("size"))["n"]
        self.assertTrue(420 <= people <= 520, people)
        self.assertTrue(100 <= Home.objects.filter(hub=self.hub).count() <= 140)
        self.assertTrue(18 <= SeatPledge.objects.filter(hub=self.hub).count() <= 22)
        open_tonight = [p for p in BedPledge.objects.filter(home__hub=self.hub) if p.is_open_on(night.date)]
        self.assertEqual(len(open_tonight), BedPledge.objects.count())
        self.assertGreater(len({p.recurrence for p in open_tonight}), 2)

    def test_the_figures_have_a_history(self):

        past = NightFigures.objects.filter(hub=self.hub)
        self.assertEqual(past.count(), 120)
        self.assertLess(max(past.values_list("date", flat=True)).isoformat(), "2026-11-24")
        self.assertTrue(all(f.sheltered + f.left_waiting == f.people for f in past))

    def test_a_second_run_changes_nothing(self):
        before = self.counts()
        run("demo_setup")
        self.assertEqual(self.counts(), before)

    def test_addresses_and_phones_are_sealed_and_fictional(self):
        home = Home.objects.filter(hub=self.hub).first()
        self.assertTrue(home.address.startswith("ns1:"))
        host = User.objects.exclude(email_index="").filter(memberships__role=Role.HOST).last()
        self.assertTrue(host.email.endswith("@demo.test"))

    def test_it_prints_where_to_log_in_and_every_role_can(self):
        self.assertIn("Open http://127.0.0.1:8000/ and log in as", self.output)
        for role in ("admin", "coordinator", "host", "driver", "volunteer"):
            self.assertIn(f"{role}@demo.test", self.output)
            self.assertTrue(self.client.login(email=f"{role}@demo.test", password="nightstay-demo"), role)
            self.client.logout()
        self.assertEqual(set(Membership.objects.filter(user__email_index=User.objects.get_by_email(
            "admin@demo.test").email_index).values_list("role", flat=True)), {Role.ADMIN, Role.COORDINATOR})

    def test_it_says_where_the_emails_are_and_prints_no_link(self):
        with TemporaryDirectory() as mail_dir, override_settings(
                EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend", EMAIL_FILE_PATH=Path(mail_dir)):
            output = run("demo_setup")
            self.assertIn(f"password links) are files in {mail_dir}/", output)
            self.client.post(reverse("password_reset"), {"email": "host@demo.test"})
            (mail,) = Path(mail_dir).iterdir()
            self.assertIn("/password/set/", mail.read_text())
        self.assertNotIn("/password/set/", self.output + output)
        self.assertEqual(re.findall(r"https?://\S+", output), ["http://127.0.0.1:8000/"])

    def test_staff_accounts_have_a_phone_and_the_code_is_printable(self):
        self.assertIn("otpauth://totp/nightstay:admin%40demo.test?secret=", self.output)
        admin = User.objects.get_by_email("admin@demo.test")
        device = TOTPDevice.objects.get(user=admin, confirmed=True)
        code = run("totp_code", "admin@demo.test").strip()
        self.assertRegex(code, r"^\d{6}$")
        self.assertTrue(device.verify_token(code))

    def test_a_public_server_gets_no_demo_accounts(self):
        from django.test import override_settings

        Hub.objects.all().delete()
        User.objects.all().delete()
        with override_settings(ALLOWED_HOSTS=["nightstay.example.org"]):
            self.assertIn("not loading the demo hub", run("demo_setup"))
        self.assertFalse(User.objects.exists())

    def test_totp_code_refuses_real_accounts(self):
        from django.core.management import CommandError

        with self.assertRaises(CommandError):
            run("totp_code", "someone@example.org")


class DemoAtAnyHourTests(TestCase):
    def test_tried_the_morning_after_the_demo_night_is_still_open(self):
        """At 09:00 "tonight" is still last night: its links must not be born expired."""
        from nightstay.dispatch.models import RunSheetGrant

        with time_machine.travel(datetime(2026, 11, 25, 9, 0, tzinfo=timezone.get_fixed_timezone(60)), tick=False):
            run("demo_setup")
            hub = Hub.objects.get(slug="brussels")
            night = hub.tonight()
            self.assertTrue(night.parties.exists())
            grant, _ = RunSheetGrant.issue(night, User.objects.get_by_email("driver@demo.test"))
            self.assertTrue(grant.is_live())

