"""Log in, log out, and choose a password through an e-mailed link."""
import re

from django.core import mail
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from nightstay.accounts.models import User

from .base import PASSWORD, HubTestCase


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


@override_settings(SITE_ROOT="https://nightstay.example.org")
class PasswordResetTests(HubTestCase):
    def setUp(self):
        cache.clear()

    def ask(self, email):
        return self.client.post(reverse("password_reset"), {"email": email})

    def test_the_page_shows_a_form(self):
        r = self.client.get(reverse("password_reset"))
        self.assertContains(r, 'name="email"')

    def test_a_known_address_gets_a_link(self):
        r = self.ask("hugo@example.org")
        self.assertRedirects(r, reverse("password_reset_sent"))
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["hugo@example.org"])
        self.assertTrue(link_in(mail.outbox[0]).startswith("https://nightstay.example.org/password/set/"))

    def test_an_unknown_address_gets_the_same_answer_and_no_mail(self):
        known = self.ask("hugo@example.org")
        unknown = self.ask("nobody@example.org")
        self.assertEqual((known.status_code, known.url), (unknown.status_code, unknown.url))
        self.assertEqual(len(mail.outbox), 1)

    def test_the_link_ignores_a_forged_host_header(self):
        self.client.post(reverse("password_reset"), {"email": "hugo@example.org"}, HTTP_HOST="localhost")
        self.assertIn("https://nightstay.example.org/", mail.outbox[0].body)

    def test_a_bad_address_is_shown_again_with_a_message(self):
        r = self.ask("not an address")
        self.assertContains(r, 'value="not an address"')
        self.assertContains(r, "errorlist")

    def test_the_link_sets_a_password_once(self):
        self.ask("hugo@example.org")
        link = link_in(mail.outbox[0]).replace("https://nightstay.example.org", "")
        r = self.client.get(link, follow=True)
        self.assertContains(r, 'name="new_password1"')
        form_url = r.redirect_chain[-1][0]
        r = self.client.post(form_url, {"new_password1": "a new long secret 42", "new_password2": "a new long secret 42"})
        self.assertRedirects(r, reverse("password_set_done"))
        self.assertTrue(User.objects.get(pk=self.hugo.pk).check_password("a new long secret 42"))
        self.assertContains(self.client.get(link, follow=True), "This link was used already")

    def test_a_new_password_lifts_a_lock_out(self):
        for _ in range(5):
            self.client.post(reverse("login"), {"email": "hugo@example.org", "password": "wrong"})
        self.client.post(reverse("login"), {"email": "hugo@example.org", "password": PASSWORD})
        self.assertNotIn("_auth_user_id", self.client.session)  # locked
        self.ask("hugo@example.org")
        link = link_in(mail.outbox[0]).replace("https://nightstay.example.org", "")
        form_url = self.client.get(link, follow=True).redirect_chain[-1][0]
        self.client.post(form_url, {"new_password1": "a new long secret 42", "new_password2": "a new long secret 42"})
        r = self.client.post(reverse("login"), {"email": "hugo@example.org", "password": "a new long secret 42"})
        self.assertRedirects(r, reverse("home"))

    def test_a_weak_password_is_refused_with_a_reason(self):
        self.ask("hugo@example.org")
        link = link_in(mail.outbox[0]).replace("https://nightstay.example.org", "")
        form_url = self.client.get(link, follow=True).redirect_chain[-1][0]
        r = self.client.post(form_url, {"new_password1": "12345678", "new_password2": "12345678"})
        self.assertContains(r, "errorlist")
        self.assertTrue(User.objects.get(pk=self.hugo.pk).check_password(PASSWORD))

    def test_a_forged_link_is_refused(self):
        r = self.client.get("/password/set/Zm9v/abc-123/")
        self.assertContains(r, "This link was used already")

    def test_mails_from_one_client_are_budgeted(self):
        for _ in range(7):
            self.ask("hugo@example.org")
        self.assertEqual(len(mail.outbox), 5)


class LogInOutTests(HubTestCase):
    def setUp(self):
        cache.clear()

    def test_the_log_in_page(self):
        r = self.client.get(reverse("login"))
        self.assertContains(r, 'name="email"')
        self.assertContains(r, reverse("password_reset"))

    def test_a_bad_log_in_keeps_the_email_typed(self):
        r = self.client.post(reverse("login"), {"email": "hugo@example.org", "password": "nope"})
        self.assertContains(r, 'value="hugo@example.org"')
        self.assertNotContains(r, "nope")

    def test_log_in_returns_to_next(self):
        r = self.client.post(reverse("login"), {"email": "hugo@example.org", "password": PASSWORD, "next": "/?x=1"})
        self.assertRedirects(r, "/?x=1")

    def test_log_in_ignores_a_next_on_another_site(self):
        r = self.client.post(reverse("login"), {"email": "hugo@example.org", "password": PASSWORD,
                                                "next": "//evil.example/"})
        self.assertRedirects(r, reverse("home"))

    def test_log_out_needs_a_post(self):
        self.log_in(self.hugo)
        self.assertEqual(self.client.get(reverse("logout")).status_code, 405)
        self.assertRedirects(self.client.post(reverse("logout")), reverse("login"))
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_a_pending_volunteer_sees_nothing_of_anyone(self):
        self.log_in(self.pia)
        r = self.client.get(reverse("home"))
        self.assertContains(r, "You hold no role")
        for name in ("Hugo", "Colette", "Brussels"):
            self.assertNotContains(r, name)
        self.assertEqual(self.client.get("/volunteer/brussels/queue/").status_code, 404)
