"""Log in safely: lock-out, one answer for every failure, the second factor for staff."""
from unittest import mock

import time_machine
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.cache import cache
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from nightstay.accounts.forms import LoginForm
from nightstay.accounts.models import User

from .base import PASSWORD, HubTestCase

REFUSED = str(LoginForm.refused)


def code(device) -> str:
    """The code the phone shows now (six digits, zero-padded)."""
    return f"{totp(device.bin_key):06d}"


class LockOutTests(HubTestCase):
    def setUp(self):
        cache.clear()

    def post(self, email, password):
        return self.client.post(reverse("login"), {"email": email, "password": password})

    def test_five_wrong_passwords_lock_the_account(self):
        for _ in range(5):
            self.assertContains(self.post("hugo@example.org", "wrong password"), REFUSED)
        hugo = User.objects.get(pk=self.hugo.pk)
        self.assertTrue(hugo.is_locked())
        r = self.post("hugo@example.org", PASSWORD)
        self.assertContains(r, REFUSED)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_the_lock_lifts_after_a_quarter_of_an_hour(self):
        with time_machine.travel("2026-11-24 20:00 +00:00", tick=False):
            for _ in range(5):
                self.post("hugo@example.org", "wrong password")
        with time_machine.travel("2026-11-24 20:16 +00:00", tick=False):
            self.assertRedirects(self.post("hugo@example.org", PASSWORD), reverse("home"))

    def test_success_resets_the_failure_count(self):
        for _ in range(4):
            self.post("hugo@example.org", "wrong password")
        self.assertEqual(User.objects.get(pk=self.hugo.pk).failed_logins, 4)
        self.assertRedirects(self.post("hugo@example.org", PASSWORD), reverse("home"))
        self.assertEqual(User.objects.get(pk=self.hugo.pk).failed_logins, 0)
        self.client.logout()
        self.post("hugo@example.org", "wrong password")
        self.assertFalse(User.objects.get(pk=self.hugo.pk).is_locked())

    def test_the_email_is_matched_whatever_its_case(self):
        self.assertRedirects(self.post(" Hugo@EXAMPLE.org", PASSWORD), reverse("home"))

    def test_an_unknown_email_gets_the_same_answer_and_the_same_hashing(self):
        with mock.patch.object(MD5PasswordHasher, "encode", autospec=True,
                               side_effect=MD5PasswordHasher.encode) as encode:
            unknown = self.post("nobody@example.org", PASSWORD)
        self.assertEqual(encode.call_count, 1)
        with mock.patch.object(MD5PasswordHasher, "encode", autospec=True,
                               side_effect=MD5PasswordHasher.encode) as encode:
            known = self.post("hugo@example.org", "wrong password")
        self.assertEqual(encode.call_count, 1)
        self.assertEqual(unknown.status_code, known.status_code)
        self.assertContains(unknown, REFUSED)
        self.assertContains(known, REFUSED)

    def test_a_locked_account_still_costs_a_hash(self):
        User.objects.filter(pk=self.hugo.pk).update(failed_logins=0)
        for _ in range(5):
            self.post("hugo@example.org", "wrong password")
        with mock.patch.object(MD5PasswordHasher, "encode", autospec=True,
                               side_effect=MD5PasswordHasher.encode) as encode:
            self.assertContains(self.post("hugo@example.org", PASSWORD), REFUSED)
        self.assertEqual(encode.call_count, 1)

    def test_an_inactive_account_gets_the_same_answer(self):
        User.objects.filter(pk=self.dara.pk).update(is_active=False)
        self.assertContains(self.post("dara@example.org", PASSWORD), REFUSED)

    def test_successes_do_not_use_the_budget(self):
        for _ in range(60):
            self.assertEqual(self.post("dara@example.org", PASSWORD).status_code, 302)
            self.client.post(reverse("logout"))

    def test_one_client_gets_a_budget_of_failed_tries(self):
        for i in range(50):
            self.post(f"guess{i}@example.org", "x")
        r = self.post("hugo@example.org", PASSWORD)
        self.assertEqual(r.status_code, 429)
        self.assertContains(r, "Too many tries from here", status_code=429)
        self.post("hugo@example.org", "wrong")
        self.assertEqual(User.objects.get(pk=self.hugo.pk).failed_logins, 0)  # no password was checked
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertContains(r, 'value="hugo@example.org"', status_code=429)

    def test_passwords_are_hashed_with_argon2_in_production(self):
        from nightstay.site import settings as production

        self.assertEqual(production.PASSWORD_HASHERS[0], "django.contrib.auth.hashers.Argon2PasswordHasher")


class SecondFactorTests(HubTestCase):
    def setUp(self):
        cache.clear()

    def log_in_with_password(self, email, next_url=""):
        data = {"email": email, "password": PASSWORD}
        if next_url:
            data["next"] = next_url
        return self.client.post(reverse("login"), data)

    def test_staff_are_sent_to_the_second_factor_after_the_password(self):
        r = self.log_in_with_password("colette@example.org", "/volunteer/brussels/queue/")
        self.assertRedirects(r, reverse("two_factor") + "?next=%2Fvolunteer%2Fbrussels%2Fqueue%2F",
                             fetch_redirect_response=False)

    def test_a_host_goes_straight_home(self):
        self.assertRedirects(self.log_in_with_password("hugo@example.org"), reverse("home"))

    def test_a_coordinator_page_needs_the_code_first(self):
        self.log_in_with_password("colette@example.org")
        r = self.client.get("/volunteer/brussels/queue/")
        self.assertRedirects(r, reverse("two_factor") + "?next=%2Fvolunteer%2Fbrussels%2Fqueue%2F",
                             fetch_redirect_response=False)

    def test_a_right_code_opens_the_page_asked_for(self):
        self.log_in_with_password("colette@example.org")
        device = TOTPDevice.objects.get(user=self.colette)
        r = self.client.post(reverse("two_factor"), {"code": code(device), "next": "/volunteer/brussels/queue/"})
        self.assertRedirects(r, "/volunteer/brussels/queue/")

    def test_a_wrong_code_is_refused_and_throttled(self):
        self.log_in_with_password("colette@example.org")
        r = self.client.post(reverse("two_factor"), {"code": "000000"})
        self.assertContains(r, "That code is not right")
        self.assertEqual(self.client.get("/volunteer/brussels/queue/").status_code, 302)
        device = TOTPDevice.objects.get(user=self.colette)
        r = self.client.post(reverse("two_factor"), {"code": code(device)})
        self.assertContains(r, "Too many wrong codes")

    def test_a_code_must_be_six_digits(self):
        self.log_in_with_password("colette@example.org")
        self.assertContains(self.client.post(reverse("two_factor"), {"code": "12ab"}), "The code is 6 digits.")

    def test_an_outside_next_is_ignored(self):
        self.log_in_with_password("colette@example.org")
        device = TOTPDevice.objects.get(user=self.colette)
        r = self.client.post(reverse("two_factor"), {"code": code(device), "next": "https://evil.example/"})
        self.assertRedirects(r, reverse("home"))

    def test_a_coordinator_without_a_device_enrols_then_passes(self):
        self.log_in_with_password("cyril@example.org")
        r = self.client.get(reverse("two_factor") + "?next=/volunteer/brussels/queue/")
        self.assertContains(r, "<svg")
        self.assertContains(r, 'class="secret"')
        self.assertNotContains(r, "style=")
        device = TOTPDevice.objects.get(user=self.cyril)
        self.assertFalse(device.confirmed)
        self.assertContains(r, " ".join([device.config_url.split("secret=")[1][:4]]))
        self.client.get(reverse("two_factor"))  # a second visit shows the same device, not a new one
        self.assertEqual(TOTPDevice.objects.filter(user=self.cyril).count(), 1)
        r = self.client.post(reverse("two_factor"), {"code": code(device), "next": "/volunteer/brussels/queue/"})
        self.assertRedirects(r, "/volunteer/brussels/queue/")
        device.refresh_from_db()
        self.assertTrue(device.confirmed)

    def test_a_confirmed_device_is_never_shown_again(self):
        self.log_in_with_password("colette@example.org")
        r = self.client.get(reverse("two_factor"))
        self.assertNotContains(r, "<svg")
        self.assertNotContains(r, 'class="secret"')

    def test_each_log_in_asks_again(self):
        self.log_in(self.colette)
        self.assertEqual(self.client.get("/volunteer/brussels/queue/").status_code, 200)
        self.client.post(reverse("logout"))
        self.log_in_with_password("colette@example.org")
        self.assertEqual(self.client.get("/volunteer/brussels/queue/").status_code, 302)

    def test_the_page_only_ever_touches_ones_own_device(self):
        self.log_in_with_password("pia@example.org")
        r = self.client.get(reverse("two_factor"))
        self.assertContains(r, "<svg")  # anyone may enrol a phone for their own account
        self.assertEqual(TOTPDevice.objects.filter(user=self.pia).count(), 1)
        colette_code = code(TOTPDevice.objects.get(user=self.colette))
        r = self.client.post(reverse("two_factor"), {"code": colette_code})
        self.assertEqual(r.status_code, 200)
        self.assertFalse(TOTPDevice.objects.get(user=self.pia).confirmed)

    def test_anonymous_visitors_are_sent_to_log_in(self):
        r = self.client.get(reverse("two_factor"))
        self.assertEqual(r.status_code, 302)
        self.assertTrue(r.url.startswith(reverse("login")))


class ResetSecondFactorCommandTests(HubTestCase):
    def test_a_lost_phone_is_forgotten_and_the_next_log_in_enrols(self):
        from io import StringIO

        from django.core.management import CommandError, call_command

        out = StringIO()
        call_command("reset_second_factor", "Colette@example.org", stdout=out)
        self.assertIn("removed 1 device", out.getvalue())
        self.assertFalse(TOTPDevice.objects.filter(user=self.colette).exists())
        with self.assertRaises(CommandError):
            call_command("reset_second_factor", "nobody@example.org")
