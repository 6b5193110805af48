"""Browser and server hygiene: headers, templates the CSP can live with, plain error pages,
no client address in any log, and deploy checks that pass only with production settings."""
import io
import logging
import os
import re
import subprocess
import sys
import threading
import urllib.request
from contextlib import redirect_stderr
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from nightstay.hubs.models import Membership
from nightstay.privacy.checks import check_secret_key
from nightstay.privacy.crypto import new_key_line
from nightstay.privacy.middleware import PrivacyHeadersMiddleware

from .base import HubTestCase

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "nightstay" / "templates"
# What a strict CSP (no 'unsafe-inline') would block, or what would load from another origin.
FORBIDDEN = {
    "a style attribute": re.compile(r"\sstyle\s*=", re.I),
    "a <style> block": re.compile(r"<style", re.I),
    "an inline script": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I),
    "an event handler attribute": re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I),
    "hx-on": re.compile(r"\shx-on", re.I),
    "a javascript: URL": re.compile(r"javascript:", re.I),
    "an asset from another origin": re.compile(r"\s(?:src|href)\s*=\s*[\"'](?:https?:)?//", re.I),
}


def problems_in(html: str) -> list[str]:
    return [name for name, pattern in FORBIDDEN.items() if pattern.search(html)]


def test_every_template_lives_with_the_csp():
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        found += [f"{path.relative_to(TEMPLATES)}: {p}" for p in problems_in(path.read_text())]
    assert not found, "templates the CSP would break or that load from elsewhere:\n" + "\n".join(found)


def test_the_csp_allows_no_inline_code():
    from nightstay.privacy.middleware import CSP

    assert "script-src 'self'" in CSP and "style-src 'self'" in CSP
    assert "unsafe" not in CSP


class HeaderTests(HubTestCase):
    def test_every_response_carries_the_privacy_headers(self):
        r = self.client.get(reverse("login"))
        self.assertIn("script-src 'self'", r["Content-Security-Policy"])
        self.assertEqual(r["Referrer-Policy"], "no-referrer")
        self.assertEqual(r["X-Frame-Options"], "DENY")

    def test_authenticated_pages_are_never_stored(self):
        self.log_in(self.hugo)
        self.assertEqual(self.client.get(reverse("home"))["Cache-Control"], "no-store")
        self.log_in(self.colette)
        self.assertEqual(self.client.get(reverse("vetting_queue", args=["brussels"]))["Cache-Control"], "no-store")

    def test_a_page_marked_private_is_never_stored_even_for_a_guest(self):
        def ticket(request):
            request.private_page = True
            return HttpResponse("ticket")

        request = RequestFactory().get("/t/abc/")
        from django.contrib.auth.models import AnonymousUser

        request.user = AnonymousUser()
        response = PrivacyHeadersMiddleware(ticket)(request)
        self.assertEqual(response["Cache-Control"], "no-store")

    def test_the_sign_up_form_is_never_stored(self):
        self.assertEqual(self.client.get(reverse("volunteer_join", args=["brussels"]))["Cache-Control"], "no-store")

    def test_a_public_notice_may_be_cached(self):
        r = self.client.get(reverse("volunteer_privacy", args=["brussels"]))
        self.assertNotIn("no-store", r.get("Cache-Control", ""))

    def test_rendered_pages_have_no_inline_code(self):
        pages = [reverse("login"), reverse("password_reset"), reverse("volunteer_join", args=["brussels"]),
                 reverse("volunteer_privacy", args=["brussels"]), reverse("volunteer_thanks", args=["brussels"])]
        for url in pages:
            self.assertEqual(problems_in(self.client.get(url).content.decode()), [], url)
        self.client.force_login(self.cyril)  # enrolment: the QR code is inline SVG, without style
        self.assertEqual(problems_in(self.client.get(reverse("two_factor")).content.decode()), [])
        self.log_in(self.colette)
        self.assertEqual(problems_in(self.client.get(reverse("vetting_queue", args=["brussels"])).content.decode()), [])


class ErrorPageTests(HubTestCase):
    def test_not_found_is_plain(self):
        r = self.client.get("/no/such/page/")
        self.assertContains(r, "Not found", status_code=404)
        self.assertNotContains(r, "urlpatterns", status_code=404)

    def test_a_crash_shows_a_generic_page_and_no_detail(self):
        self.log_in(self.hugo)
        self.client.raise_request_exception = False
        with mock.patch.object(Membership.objects, "filter", side_effect=RuntimeError("Rue du Trône 12")), \
                self.assertLogs("django.request", "ERROR") as logs:
            r = self.client.get(reverse("home"), REMOTE_ADDR="203.0.113.5")
        self.assertContains(r, "Something went wrong", status_code=500)
        self.assertNotContains(r, "Trône", status_code=500)
        self.assertNotContains(r, "Traceback", status_code=500)
        self.assertNotIn("203.0.113.5", "\n".join(logs.output))

    def test_a_bad_host_gets_a_plain_400(self):
        with self.assertLogs("django.security", "ERROR"):
            r = self.client.get(reverse("login"), HTTP_HOST="evil.example")
        self.assertContains(r, "Bad request", status_code=400)

    def test_an_expired_form_says_so_plainly(self):
        client = Client(enforce_csrf_checks=True)
        with self.assertLogs("django.security.csrf", "WARNING"):
            r = client.post(reverse("login"), {"email": "hugo@example.org", "password": "x"})
        self.assertContains(r, "This form expired", status_code=403)
        self.assertNotContains(r, "<style", status_code=403)


def test_the_server_logs_no_client_address():
    """runserver's request handler, with the site's logging: no request line, no address."""
    server = WSGIServer(("127.0.0.1", 0), WSGIRequestHandler)
    server.set_app(WSGIHandler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    seen = io.StringIO()
    catch_all = logging.StreamHandler(seen)
    logging.getLogger().addHandler(catch_all)
    try:
        with redirect_stderr(seen):
            thread.start()
            port = server.server_address[1]
            for path in ("/login/", "/no/such/page/"):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5)
                except urllib.error.HTTPError:
                    pass
    finally:
        server.shutdown()
        server.server_close()
        logging.getLogger().removeHandler(catch_all)
    assert "127.0.0.1" not in seen.getvalue()
    assert "GET /" not in seen.getvalue()


def production_env(**changes) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_", "SECRET_", "ALLOWED_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="nightstay.site.settings",
        SECRET_KEY="kq8Zr1vN0xW3yB6tL9mC2pD5fG7hJ4sA0eR1uI8oP3aS6dF9gH2jK5lZ",
        ALLOWED_HOSTS="nightstay.example.org",
        SITE_ROOT="https://nightstay.example.org",
        SECURE_SSL_REDIRECT="true",
        SECURE_COOKIES="true",
        SECURE_HSTS_SECONDS="31536000",
        BEHIND_TLS_PROXY="true",
        NIGHTSTAY_FIELD_KEYS=new_key_line("k1"),
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="smtp.example.org",
        DEBUG="false",
    )
    env.update(changes)
    return {k: v for k, v in env.items() if v is not None}


def manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)


def test_deploy_checks_are_clean_with_production_settings(tmp_path):
    # On SQLite: the PostgreSQL server's own settings are checked too (nightstay.W021...), and the test
    # server keeps PostgreSQL's defaults (tests/web/test_wal_retired.py checks those warnings).
    result = manage("check", "--deploy", "--fail-level", "WARNING",
                    env=production_env(NIGHTSTAY_VAR_DIR=str(tmp_path), DATABASE_URL=None))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_printing_mail_backend_is_refused_on_a_public_host(tmp_path):
    """Console and files (the laptop's default) would put password links in a log: every command refuses them."""
    for backend in (None, "django.core.mail.backends.console.EmailBackend"):
        result = manage("check", env=production_env(NIGHTSTAY_VAR_DIR=str(tmp_path), EMAIL_BACKEND=backend))
        assert result.returncode != 0
        assert "nightstay.E003" in result.stderr


def test_rate_limits_in_one_workers_memory_are_refused_on_a_public_host():
    from nightstay.privacy.checks import check_shared_limits

    local = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(CACHES=local, ALLOWED_HOSTS=["nightstay.example.org"]):
        assert [e.id for e in check_shared_limits(None)] == ["nightstay.E007"]
    with override_settings(CACHES=local, ALLOWED_HOSTS=["127.0.0.1"]):
        assert check_shared_limits(None) == []


def test_the_development_secret_is_refused_on_a_public_host(tmp_path):
    result = manage("check", env=production_env(NIGHTSTAY_VAR_DIR=str(tmp_path), SECRET_KEY=None))
    assert result.returncode != 0
    assert "nightstay.E001" in result.stderr


def test_the_development_secret_is_fine_on_localhost():
    with override_settings(SECRET_KEY=settings.DEV_SECRET_KEY, ALLOWED_HOSTS=["127.0.0.1", "localhost"]):
        assert check_secret_key(None) == []
    with override_settings(SECRET_KEY=settings.DEV_SECRET_KEY, ALLOWED_HOSTS=["nightstay.example.org"]):
        assert [e.id for e in check_secret_key(None)] == ["nightstay.E001"]


def test_every_environment_variable_is_documented():
    source = (ROOT / "nightstay" / "site" / "settings.py").read_text()
    names = set(re.findall(r"""env(?:bool|int|list)?\(\s*["']([A-Z_]+)["']""", source))
    names |= set(re.findall(r"""os\.environ\.get\(\s*["']([A-Z_]+)["']""", source))
    documented = set(re.findall(r"`([A-Z_]+)`", (ROOT / "docs" / "deploy.md").read_text()))
    assert names, "no environment variable found in settings.py"
    assert not names - documented, f"document these in docs/deploy.md: {sorted(names - documented)}"
