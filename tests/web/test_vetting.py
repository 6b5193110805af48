"""The vetting queue: coordinators of the hub call, note, approve or decline."""
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from nightstay.accounts.models import User
from nightstay.hubs.models import Membership, Role
from nightstay.privacy.crypto import blind_index
from nightstay.volunteers.models import Application

from ..browser.base import BrowserTestCase
from .base import PASSWORD, HubTestCase


def apply(hub, email="lea@example.org", offer="both", first_name="Lea"):
    return Application.objects.create(hub=hub, first_name=first_name, phone="+32 470 12 34 56", email=email,
                                      area="Schaerbeek", offer=offer, offer_note="2 beds", consent=True)


class QueueTests(HubTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.lea = apply(cls.hub)
        cls.liege_app = apply(cls.other_hub, email="lou@example.org", first_name="Lou")
        cls.url = reverse("vetting_queue", args=["brussels"])

    def test_a_coordinator_sees_who_waits_and_how_to_call(self):
        self.log_in(self.colette)
        r = self.client.get(self.url)
        self.assertContains(r, "Lea")
        self.assertContains(r, "Schaerbeek")
        self.assertContains(r, 'href="tel:+32 470 12 34 56"')
        self.assertContains(r, "lea@example.org")
        self.assertNotContains(r, "lou@example.org")  # not "Lou": a random CSRF token may hold it

    def test_a_right_to_left_override_is_never_shown_in_the_queue(self):
        """A name that would read backwards (U+202E), however it was stored, reaches the page plain."""
        self.client.post(reverse("volunteer_join", args=["brussels"]), {
            "first_name": "\u202eanoJ", "phone": "+32 470 12 34 57", "email": "jona@example.org",
            "area": "Ixelles\u202e", "offer": "host", "offer_note": "\u2067two\u2069 beds\u200b", "consent": "on"})
        apply(self.hub, email="rami@example.org", first_name="Ra\u202emi\u200d\u200e")  # not through a form
        self.log_in(self.colette)
        r = self.client.get(self.url)
        page = r.content.decode()
        self.assertIn("anoJ", page)
        self.assertIn("Rami", page)
        for invisible in ("\u202e", "\u2067", "\u2069", "\u200b", "\u200d", "\u200e"):
            self.assertNotIn(invisible, page)
        self.assertIn("<bdi>anoJ</bdi>", page)  # isolated: any right-to-left name stays in its box

    def test_someone_who_already_volunteers_here_is_marked(self):
        apply(self.hub, email="Bea@example.org", offer="host", first_name="Béa")
        apply(self.hub, email="otto@example.org", offer="host", first_name="Otto")
        self.log_in(self.colette)
        r = self.client.get(self.url)
        self.assertContains(r, "Already here as: driver, host", count=1)  # Béa; Otto's Liège role stays hidden

    def test_a_hub_admin_sees_it_too(self):
        self.log_in(self.adele)
        self.assertContains(self.client.get(self.url), "Lea")

    def test_the_queue_costs_few_queries(self):
        apply(self.hub, email="max@example.org", first_name="Max")
        self.log_in(self.colette)
        with self.assertNumQueries(7):  # session, user, OTP device, hub, roles, applications, known: not one per row
            self.client.get(self.url)

    def test_anonymous_visitors_are_sent_to_log_in(self):
        r = self.client.get(self.url)
        self.assertRedirects(r, f"{reverse('login')}?next={self.url}", fetch_redirect_response=False)

    def test_volunteers_without_a_staff_role_are_refused(self):
        for user in (self.pia, self.hugo, self.dara, self.bea):
            self.log_in(user)
            self.assertEqual(self.client.get(self.url).status_code, 404, user)

    def test_a_coordinator_of_another_hub_is_refused(self):
        self.log_in(self.otto)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_a_coordinator_without_second_factor_is_sent_to_it(self):
        self.log_in(self.cyril)
        r = self.client.get(self.url)
        self.assertRedirects(r, f"{reverse('two_factor')}?next=%2Fvolunteer%2Fbrussels%2Fqueue%2F",
                             fetch_redirect_response=False)

    def test_an_unverified_session_of_an_enrolled_coordinator_is_sent_to_it(self):
        self.log_in(self.colette, verified=False)
        self.assertEqual(self.client.get(self.url).status_code, 302)


@override_settings(SITE_ROOT="https://nightstay.example.org")
class DecisionTests(HubTestCase):
    def setUp(self):
        self.lea = apply(self.hub)

    def decide(self, application, decision, note="called, kind", **headers):
        return self.client.post(reverse("vetting_decide", args=[application.hub.slug, application.pk]),
                                {"decision": decision, "call_note": note}, **headers)

    def test_approval_creates_the_account_roles_and_sends_a_password_link(self):
        self.log_in(self.colette)
        r = self.decide(self.lea, "approve")
        self.assertRedirects(r, reverse("vetting_queue", args=["brussels"]))
        user = User.objects.get_by_email("lea@example.org")
        self.assertEqual((user.first_name, user.phone), ("Lea", "+32 470 12 34 56"))
        self.assertFalse(user.has_usable_password())
        self.assertEqual(set(Membership.objects.filter(user=user, hub=self.hub).values_list("role", flat=True)),
                         {Role.HOST, Role.DRIVER})
        self.lea.refresh_from_db()
        self.assertEqual((self.lea.status, self.lea.decided_by, self.lea.user, self.lea.call_note),
                         ("approved", self.colette, user, "called, kind"))
        self.assertEqual((self.lea.email, self.lea.phone), ("", ""))  # now on the account only
        self.assertEqual(mail.outbox[0].to, ["lea@example.org"])
        link = re.search(r"https://nightstay.example.org(/password/set/\S+)", mail.outbox[0].body).group(1)
        self.client.post(reverse("logout"))
        form_url = self.client.get(link, follow=True).redirect_chain[-1][0]
        r = self.client.post(form_url, {"new_password1": "lea's own secret 7", "new_password2": "lea's own secret 7"})
        self.assertRedirects(r, reverse("password_set_done"))
        r = self.client.post(reverse("login"), {"email": "lea@example.org", "password": "lea's own secret 7"})
        self.assertRedirects(r, reverse("home"))

    def test_approval_reuses_an_account_found_by_its_email(self):
        hugo_again = apply(self.hub, email=" HUGO@example.org", offer="driver", first_name="Hugo")
        accounts = User.objects.count()
        self.log_in(self.colette)
        self.decide(hugo_again, "approve")
        self.assertEqual(User.objects.count(), accounts)
        self.assertTrue(Membership.objects.filter(user=self.hugo, hub=self.hub, role=Role.DRIVER).exists())
        self.assertIn("the password you already have", mail.outbox[0].body)

    def test_decline_closes_the_application_and_sends_nothing(self):
        self.log_in(self.adele)
        self.decide(self.lea, "decline", "no car after all")
        self.lea.refresh_from_db()
        self.assertEqual((self.lea.status, self.lea.call_note, self.lea.decided_by), ("declined", "no car after all",
                                                                                      self.adele))
        self.assertFalse(User.objects.filter(email_index=blind_index("lea@example.org")).exists())
        self.assertEqual(mail.outbox, [])

    def test_the_call_note_is_sealed_and_plain(self):
        self.log_in(self.colette)
        self.decide(self.lea, "decline", "lives at Rue Haute 3\u202e, no car")
        self.lea.refresh_from_db()
        self.assertEqual(self.lea.call_note, "lives at Rue Haute 3, no car")
        stored = Application.objects.filter(pk=self.lea.pk).values_list("call_note", flat=True).get()
        self.assertTrue(stored.startswith("ns1:"))
        self.assertNotIn("Haute", stored)

    def test_htmx_gets_the_card_back(self):
        self.log_in(self.colette)
        r = self.decide(self.lea, "approve", HTTP_HX_REQUEST="true")
        self.assertTemplateUsed(r, "volunteers/_application.html")
        self.assertNotContains(r, "<html")
        self.assertContains(r, "Lea is in")

    def test_a_tampered_decision_changes_nothing(self):
        self.log_in(self.colette)
        self.decide(self.lea, "delete everything")
        self.lea.refresh_from_db()
        self.assertEqual(self.lea.status, "pending")

    def test_a_decided_application_cannot_be_decided_again(self):
        self.log_in(self.colette)
        self.decide(self.lea, "decline")
        self.assertEqual(self.decide(self.lea, "approve").status_code, 404)

    def test_a_mail_failure_keeps_the_approval_and_says_so(self):
        self.log_in(self.colette)
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                               EMAIL_HOST="127.0.0.1", EMAIL_PORT=9, EMAIL_TIMEOUT=2):
            r = self.decide(self.lea, "approve", HTTP_HX_REQUEST="true")
        self.assertContains(r, "the e-mail did not leave")
        self.lea.refresh_from_db()
        self.assertEqual(self.lea.status, "approved")

    def test_it_needs_a_post(self):
        self.log_in(self.colette)
        r = self.client.get(reverse("vetting_decide", args=["brussels", self.lea.pk]))
        self.assertEqual(r.status_code, 405)

    def test_refused_people_change_nothing(self):
        for user in (self.pia, self.hugo, self.dara, self.bea, self.otto):
            self.log_in(user)
            self.assertEqual(self.decide(self.lea, "approve").status_code, 404, user)
        self.log_in(self.cyril)
        self.assertEqual(self.decide(self.lea, "approve").status_code, 302)
        self.client.logout()
        self.assertEqual(self.decide(self.lea, "approve").status_code, 302)
        self.lea.refresh_from_db()
        self.assertEqual(self.lea.status, "pending")
        self.assertEqual(mail.outbox, [])

    def test_an_application_of_another_hub_is_not_found(self):
        liege = apply(self.other_hub, email="lou@example.org")
        self.log_in(self.colette)
        r = self.client.post(reverse("vetting_decide", args=["brussels", liege.pk]), {"decision": "approve"})
        self.assertEqual(r.status_code, 404)


class HomeLinkTests(HubTestCase):
    def test_coordinators_find_the_queue_from_home_and_volunteers_do_not(self):
        url = reverse("vetting_queue", args=["brussels"])
        self.log_in(self.colette)
        self.assertContains(self.client.get(reverse("home")), url)
        self.log_in(self.hugo)
        self.assertNotContains(self.client.get(reverse("home")), url)


@pytest.mark.browser
class SignUpToApprovalBrowserTests(BrowserTestCase):
    """A volunteer signs up on a phone, a coordinator logs in with her code and approves: real
    Chromium under the real CSP, no console error, no inline anything."""

    def setUp(self):
        HubTestCase.setUpTestData.__func__(type(self))
        cache.clear()

    def test_sign_up_then_log_in_with_a_code_then_approve(self):
        page, problems = self.watched_page()
        page.goto(self.live_server_url + "/volunteer/brussels/join/")
        page.fill("#id_first_name", "Léa")
        page.fill("#id_phone", "+32 470 12 34 56")
        page.fill("#id_email", "lea@example.org")
        page.fill("#id_area", "Rue Royale 5")
        page.click("label[for=id_offer_2]")
        page.check("#id_consent")
        page.click("button:has-text('Send')")
        page.wait_for_selector("#id_area_error")  # a street is refused; what was typed stays
        self.assertEqual(page.input_value("#id_first_name"), "Léa")
        self.shot(page, "signup-refused-street")
        page.fill("#id_area", "Schaerbeek")
        page.check("#id_consent")
        page.click("button:has-text('Send')")
        page.wait_for_selector("text=A coordinator will call you")

        coordinator, more_problems = self.watched_page()
        coordinator.goto(self.live_server_url + "/volunteer/brussels/queue/")
        self.log_in_with_code(coordinator, self.colette, "colette@example.org", PASSWORD)
        coordinator.wait_for_selector("text=Léa")
        self.assertTrue(coordinator.url.endswith("/volunteer/brussels/queue/"))
        self.shot(coordinator, "vetting-queue")
        coordinator.fill("textarea[name=call_note]", "called, two beds")
        coordinator.click("button[value=approve]")
        coordinator.wait_for_selector("text=Léa is in")
        self.assertTrue(coordinator.url.endswith("/volunteer/brussels/queue/"))  # swapped in place by htmx
        with self.database():
            self.assertEqual(Application.objects.get().status, "approved")
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(problems + more_problems, [])

    def test_a_coordinator_enrols_her_phone(self):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        # The RFC 6238 test key, so that the screenshot stays the same from run to run.
        TOTPDevice.objects.create(user=self.cyril, name="phone", confirmed=False,
                                  key="3132333435363738393031323334353637383930")
        page, problems = self.watched_page()
        page.goto(self.live_server_url + "/login/")
        page.fill("#id_email", "cyril@example.org")
        page.fill("#id_password", PASSWORD)
        page.click("button:has-text('Log in')")
        page.wait_for_selector(".qr svg")
        self.shot(page, "two-factor-enrol")
        self.assertEqual(problems, [])
