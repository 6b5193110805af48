"""Forms post under ``Referrer-Policy: no-referrer`` (Origin: null, no Referer), and only from our pages."""
from django.test import Client, TestCase


class NoReferrerCsrfTests(TestCase):
    def post_login(self, secure=False, **headers):
        client = Client(enforce_csrf_checks=True)
        client.get("/login/", secure=secure)
        token = client.cookies["csrftoken"].value
        return client.post("/login/", {"username": "nobody@example.org", "password": "x" * 12,
                                       "csrfmiddlewaretoken": token}, secure=secure, **headers)

    def test_a_post_from_our_own_page_with_origin_null_goes_through(self):
        response = self.post_login(HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="same-origin")
        self.assertEqual(response.status_code, 200)  # the log-in form, re-shown with its error

    def test_over_https_with_no_referer_a_post_from_our_own_page_goes_through(self):
        response = self.post_login(secure=True, HTTP_SEC_FETCH_SITE="same-origin")
        self.assertEqual(response.status_code, 200)

    def test_origin_null_from_another_site_is_refused(self):
        response = self.post_login(HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="cross-site")
        self.assertEqual(response.status_code, 403)

    def test_origin_null_without_fetch_metadata_is_refused(self):
        self.assertEqual(self.post_login(HTTP_ORIGIN="null").status_code, 403)

    def test_over_https_no_referer_and_no_fetch_metadata_is_refused(self):
        self.assertEqual(self.post_login(secure=True).status_code, 403)

    def test_the_token_is_still_required(self):
        client = Client(enforce_csrf_checks=True)
        response = client.post("/login/", {"username": "a@b.org", "password": "x"}, HTTP_ORIGIN="null",
                               HTTP_SEC_FETCH_SITE="same-origin")
        self.assertEqual(response.status_code, 403)

    def test_every_page_says_no_referrer(self):
        self.assertEqual(Client().get("/login/")["Referrer-Policy"], "no-referrer")
