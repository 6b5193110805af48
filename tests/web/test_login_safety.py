"""Log in safely: lock-out, one answer for every failure, the second factor for staff."""
from unittest import mock

import time_machine
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.cache import cache
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from nightstay.accounts import throttle
from nightstay.accounts.backends import BUCKET, account_key
from nightstay.accounts.forms import LoginForm
from nightstay.accounts.models import User

from .base import PASSWORD, HubTestCase

REFUSED = str(LoginForm.refused)


def attempts(email: str) -> int:
    """Tries counted against an account's lock-out in its current window."""
    return throttle.used(BUCKET, account_key(email))


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
        self.assertEqual(attempts("hugo@example.org"), 5)
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
        self.assertEqual(attempts("hugo@example.org"), 4)
        self.assertRedirects(self.post("hugo@example.org", PASSWORD), reverse("home"))
        self.assertEqual(attempts("hugo@example.org"), 0)
        self.client.logout()
        self.post("hugo@example.org", "wrong password")
        self.assertRedirects(self.post("hugo@example.org", PASSWORD), reverse("home"))

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

    def test_a_lock_out_lasts_a_quarter_of_an_hour_from_the_last_failure(self):
        with time_machine.travel("2026-11-24 20:00 +00:00", tick=False):
            for _ in range(4):
                self.post("hugo@example.org", "wrong password")
        with time_machine.travel("2026-11-24 20:10 +00:00", tick=False):
            self.post("hugo@example.org", "wrong password")
        with time_machine.travel("2026-11-24 20:20 +00:00", tick=False):
            self.assertContains(self.post("hugo@example.org", PASSWORD), REFUSED)
        with time_machine.travel("2026-11-24 20:26 +00:00", tick=False):
            self.assertRedirects(self.post("hugo@example.org", PASSWORD), reverse("home"))

    def test_an_unknown_email_locks_the_same_way(self):
        for _ in range(6):
            self.assertContains(self.post("nobody@example.org", "x"), REFUSED)
        self.assertEqual(attempts("nobody@example.org"), 6)

    def test_a_crowd_behind_one_address_is_slowed_not_locked(self):
        """50 failures from a park's Wi-Fi: the next try waits seconds, not a quarter of an hour."""
        wifi = {"REMOTE_ADDR": "198.51.100.7"}
        with time_machine.travel("2026-11-24 20:00 +00:00", tick=False) as clock:
            for i in range(50):
                r = self.client.post(reverse("login"), {"email": f"guess{i}@example.org", "password": "x"}, **wifi)
                if r.status_code == 429:
                    clock.shift(int(r["Retry-After"]) + 1)
                    r = self.client.post(reverse("login"), {"email": f"guess{i}@example.org", "password": "x"}, **wifi)
                self.assertContains(r, REFUSED)  # every one of the 50 was tried, none refused for good
            r = self.client.post(reverse("login"), {"email": "hugo@example.org", "password": PASSWORD}, **wifi)
            if r.status_code == 429:
                wait = int(r["Retry-After"])
                self.assertLessEqual(wait, 30)
                self.assertContains(r, f"Wait {wait} second", status_code=429)
                self.assertContains(r, 'value="hugo@example.org"', status_code=429)
                self.assertEqual(attempts("hugo@example.org"), 0)  # no password was checked
                clock.shift(wait + 1)
                r = self.client.post(reverse("login"), {"email": "hugo@example.org", "password": PASSWORD}, **wifi)
            self.assertRedirects(r, reverse("home"))

    def test_one_address_gets_twenty_free_failures_then_one_try_per_pace(self):
        from nightstay.accounts.views import client_pace

        with time_machine.travel("2026-11-24 20:00 +00:00", tick=False):
            answers = [self.post(f"guess{i}@example.org", "x").status_code for i in range(30)]
        self.assertEqual(answers[:21], [200] * 21)  # 20 free, then the first of the paced tries
        self.assertEqual(set(answers[21:]), {429})
        self.assertEqual([client_pace(n) for n in (20, 21, 31, 41, 51, 61, 71, 500)], [0, 1, 2, 4, 8, 16, 30, 30])

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

    def test_a_burst_of_codes_gets_ten_checks_at_most(self):
        """django-otp's own delay is read before it is written: here each code is counted first."""
        self.log_in_with_password("colette@example.org")
        device = TOTPDevice.objects.get(user=self.colette)
        with mock.patch.object(TOTPDevice, "verify_is_allowed", return_value=(True, None)), \
                mock.patch.object(TOTPDevice, "verify_token", autospec=True, return_value=False) as checked:
            for _ in range(12):
                self.client.post(reverse("two_factor"), {"code": "000000"})
            self.assertEqual(checked.call_count, 10)
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
