"""Real headless Chromium (Debian's package) driven by Playwright, against a live server.

The tests skip with a clear message only when no Chromium is installed
(``apt-get install chromium``; ``.ci/run`` installs it). Playwright's own browser download
is never used: we launch the system binary through ``executable_path``.
"""
from __future__ import annotations

import os
import shutil
import threading
import unittest
from contextlib import nullcontext
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.core.servers.basehttp import WSGIServer
from django.db import connection
from django.test import Client
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


class TurnTakingWSGIServer(WSGIServer):
    """Serves one request at a time, each while holding ``SERVING``."""

    def process_request(self, request, client_address):
        with SERVING:
            super().process_request(request, client_address)


SERVING = threading.Lock()


class SerialLiveServerThread(LiveServerThread):
    """A live server that serves one request at a time.

    On SQLite the test database lives in memory and the server shares the test's one
    connection; two users of it at once (a page polling while another posts, or the test
    reading a table while the server writes it) collide with "database table is locked".
    Requests are served one after the other, and a test reads the database only between two
    of them (``BrowserTestCase.database``).
    """

    def _create_server(self, connections_override=None):
        return TurnTakingWSGIServer((self.host, self.port), QuietWSGIRequestHandler, allow_reuse_address=False)


@unittest.skipUnless(CHROMIUM, "no Chromium found: install Debian's chromium package to run browser tests")
class BrowserTestCase(StaticLiveServerTestCase):
    """A live server and one headless Chromium for the class; each test gets a phone-sized page."""

    @classmethod
    def setUpClass(cls):
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop
        if connection.vendor == "sqlite":
            cls.server_thread_class = SerialLiveServerThread
        super().setUpClass()
        from playwright.sync_api import sync_playwright

        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()

    def database(self):
        """Where a test reads or writes the database while the live server runs: the test waits
        on what the page shows, then checks rows here, never while a request is being served
        (on SQLite the server shares the test's connection; elsewhere it has its own)."""
        return SERVING if connection.vendor == "sqlite" else nullcontext()

    def new_page(self, locale: str = "en-GB"):
        context = self.browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                           locale=locale)
        self.addCleanup(context.close)
        return context.new_page()

    def shot(self, page, name: str) -> None:
        """Keep docs/screenshots/ current: every walk-through writes its pages there."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    def watched_page(self, locale: str = "en-GB"):
        """A new page and the list its console errors, warnings and page errors land in."""
        page = self.new_page(locale)
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        return page, problems

    def page_logged_in_as(self, user):
        """A watched page already logged in as ``user``, past the second factor if enrolled."""
        from django_otp.plugins.otp_totp.models import TOTPDevice

        with self.database():
            client = Client()
            client.force_login(user)
            session = client.session
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is not None:
                session["otp_device_id"] = device.persistent_id
            session.save()
        page, problems = self.watched_page()
        page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key,
                                   "url": self.live_server_url}])
        return page, problems

    def log_in_with_code(self, page, user, email: str, password: str) -> None:
        """Fill the log-in form on ``page`` as a person would, then the code their phone shows."""
        from django_otp.oath import totp
        from django_otp.plugins.otp_totp.models import TOTPDevice

        page.fill("#id_email", email)
        page.fill("#id_password", password)
        page.click("button:has-text('Log in')")
        page.wait_for_selector("#id_code")
        with self.database():
            device = TOTPDevice.objects.get(user=user)
        page.fill("#id_code", f"{totp(device.bin_key):06d}")
        page.click("button:has-text('Continue')")
