"""The public sign-up form: short, forgiving, rate-limited, and silent about who is known."""
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from nightstay.volunteers.models import Application

from .base import HubTestCase

GOOD = {"first_name": "Lea", "phone": "+32 470 12 34 56", "email": "lea@example.org", "area": "Schaerbeek",
        "offer": "both", "offer_note": "2 beds on weekends", "consent": "on"}


class SignUpTests(HubTestCase):
    def setUp(self):
        cache.clear()

    def join(self, **changes):
        data = {**GOOD, **changes}
        return self.client.post(reverse("volunteer_join", args=["brussels"]), {k: v for k, v in data.items() if v is not None})

    def test_the_form_is_public_and_links_the_privacy_notice(self):
        r = self.client.get(reverse("volunteer_join", args=["brussels"]))
        self.assertContains(r, 'name="phone"')
        self.assertContains(r, reverse("volunteer_privacy", args=["brussels"]))
        self.assertNotContains(r, "<script")

    def test_an_unknown_hub_is_not_found(self):
        self.assertEqual(self.client.get(reverse("volunteer_join", args=["nowhere"])).status_code, 404)

    def test_a_sign_up_lands_in_the_hub_queue_sealed(self):
        r = self.join()
        self.assertRedirects(r, reverse("volunteer_thanks", args=["brussels"]))
        application = Application.objects.get()
        self.assertEqual((application.hub, application.first_name, application.offer, application.status),
                         (self.hub, "Lea", "both", "pending"))
        self.assertEqual(application.email, "lea@example.org")
        with connection.cursor() as cur:
            cur.execute("SELECT email, phone FROM volunteers_application")
            stored = " ".join(cur.fetchone())
        self.assertNotIn("lea@", stored)
        self.assertNotIn("470", stored)

    def test_free_text_is_sealed_in_the_database(self):
        """A street typed in the area or the note is in no dump: those columns hold ciphertext."""
        self.join(area="Quartier Josaphat", offer_note="Rue des Palais 44, ring twice")
        application = Application.objects.get()
        self.assertEqual((application.area, application.offer_note),
                         ("Quartier Josaphat", "Rue des Palais 44, ring twice"))
        with connection.cursor() as cur:
            cur.execute("SELECT area, offer_note, call_note FROM volunteers_application")
            area, note, call_note = cur.fetchone()
        self.assertTrue(area.startswith("ns1:") and note.startswith("ns1:"), (area, note))
        self.assertEqual(call_note, "")
        self.assertNotIn("Josaphat", area + note)
        self.assertNotIn("Palais", area + note)

    def test_invisible_characters_are_stripped_from_names_and_notes(self):
        """Right-to-left overrides, zero-width and control characters never reach the database."""
        self.join(first_name="\u202eLea\u200b\u2066", area="Schaer\u00adbeek\u200f",
                  offer_note="2 beds\r\non weekends\u202e\x07")
        application = Application.objects.get()
        self.assertEqual((application.first_name, application.area, application.offer_note),
                         ("Lea", "Schaerbeek", "2 beds\non weekends"))

    def test_a_name_of_invisible_characters_only_is_refused(self):
        r = self.join(first_name="\u202e\u200b")
        self.assertContains(r, "This field is required")
        self.assertEqual(Application.objects.count(), 0)

    def test_the_answer_is_the_same_for_a_known_email(self):
        new = self.join()
        known = self.join(email="hugo@example.org")
        self.assertEqual((new.status_code, new.url), (known.status_code, known.url))
        thanks = self.client.get(new.url)
        self.assertContains(thanks, "A coordinator will call you")

    def test_consent_is_required(self):
        r = self.join(consent=None)
        self.assertContains(r, "We need your consent")
        self.assertEqual(Application.objects.count(), 0)

    def test_bad_input_is_shown_again_with_clear_messages(self):
        r = self.join(phone="call me", email="lea at example", area="Rue du Trône 12")
        self.assertContains(r, "Write a phone number")
        self.assertContains(r, "valid email")
        self.assertContains(r, "no street or house number")
        self.assertContains(r, 'value="call me"')
        self.assertContains(r, 'value="Lea"')
        self.assertContains(r, "2 beds on weekends")
        self.assertContains(r, 'value="both" id="id_offer_2" required checked')
        self.assertEqual(Application.objects.count(), 0)

    def test_a_phone_is_stored_in_one_form_however_it_is_written(self):
        for i, written in enumerate(["0470 12 34 56", "+32 (0)470/12.34.56", "0032 470 123 456"]):
            self.assertEqual(self.join(phone=written, email=f"lea{i}@example.org").status_code, 302, written)
        self.assertEqual({a.phone for a in Application.objects.all()}, {"+32470123456"})

    def test_a_number_that_cannot_be_one_is_refused(self):
        r = self.join(phone="+32 12")
        self.assertContains(r, "Write a phone number")
        self.assertContains(r, 'value="+32 12"')

    def test_a_postcode_is_fine_in_the_area(self):
        self.assertEqual(self.join(area="1030 Schaerbeek").status_code, 302)

    def test_the_language_of_the_page_is_kept_for_the_welcome_mail(self):
        self.client.post(reverse("volunteer_join", args=["brussels"]), GOOD, HTTP_ACCEPT_LANGUAGE="fr")
        self.assertEqual(Application.objects.get().language, "fr")

    @override_settings(SIGNUPS_PER_HOUR_PER_CLIENT=2)
    def test_one_client_has_a_budget(self):
        self.join(), self.join()
        r = self.join()
        self.assertContains(r, "Too many sign-ups", status_code=429)
        self.assertContains(r, 'value="Lea"', status_code=429)
        self.assertEqual(Application.objects.count(), 2)
        other = self.client.post(reverse("volunteer_join", args=["brussels"]), GOOD, REMOTE_ADDR="10.0.0.9")
        self.assertEqual(other.status_code, 302)

    @override_settings(SIGNUPS_PER_HOUR_PER_HUB=3)
    def test_a_hub_has_a_budget(self):
        for i in range(3):
            self.client.post(reverse("volunteer_join", args=["brussels"]), GOOD, REMOTE_ADDR=f"10.0.0.{i}")
        r = self.client.post(reverse("volunteer_join", args=["brussels"]), GOOD, REMOTE_ADDR="10.0.0.99")
        self.assertEqual(r.status_code, 429)
        liege = self.client.post(reverse("volunteer_join", args=["liege"]), GOOD, REMOTE_ADDR="10.0.0.99")
        self.assertEqual(liege.status_code, 302)

    def test_no_address_of_the_client_is_stored(self):
        self.client.post(reverse("volunteer_join", args=["brussels"]), GOOD, REMOTE_ADDR="203.0.113.77")
        with connection.cursor() as cur:
            cur.execute("SELECT * FROM volunteers_application")
            row = " ".join(str(v) for v in cur.fetchone())
        self.assertNotIn("203.0.113.77", row)
        with connection.cursor() as cur:  # the rate limits' counters (a database cache in tests)
            cur.execute("SELECT cache_key, value FROM nightstay_cache")
            self.assertNotIn("203.0.113.77", repr(cur.fetchall()))

    def test_the_privacy_notice_says_what_who_and_how_long(self):
        r = self.client.get(reverse("volunteer_privacy", args=["brussels"]))
        for heading in ("What we keep", "Who sees it", "For how long"):
            self.assertContains(r, heading)
        self.assertContains(r, "Brussels - Parc Maximilien")


class ClientKeyTests(HubTestCase):
    def test_behind_the_proxy_each_client_has_its_own_budget(self):
        from django.test import RequestFactory

        from nightstay.accounts.throttle import client_key

        factory = RequestFactory()
        a = factory.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.1")
        b = factory.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2")
        with override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")):
            self.assertNotEqual(client_key(a), client_key(b))
            self.assertEqual(client_key(a), client_key(factory.get("/", HTTP_X_FORWARDED_FOR="198.51.100.1")))
        with override_settings(SECURE_PROXY_SSL_HEADER=None):  # not behind a proxy: the header is a lie
            self.assertEqual(client_key(a), client_key(b))
        self.assertNotIn("198.51.100.1", client_key(a))
