"""A database outage: a calm 503 "try again in a minute" and one log line, not a bare 500 and
a traceback per request; error pages that need neither the database nor the session.

The attack it repeats: with the database down, the site gave bare 500 pages and 1,302
tracebacks in 15 s, because the error page itself asked for the session and failed again.
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import unittest
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

from django.db import OperationalError, connection
from django.test import Client, TransactionTestCase
from django.urls import reverse

from nightstay.accounts.models import User
from nightstay.site.errors import OutageLogFilter

from .base import HubTestCase

ROOT = Path(__file__).resolve().parents[2]
TRY_AGAIN = "Try again in a minute"


def outage_filter() -> OutageLogFilter:
    return next(f for f in logging.getLogger("django.request").filters if isinstance(f, OutageLogFilter))


@contextmanager
def database_down():
    """Every new query fails as it does when the server is gone: at connect, with OperationalError."""
    outage_filter().last = float("-inf")  # a new outage
    refused = OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')
    with mock.patch.object(connection, "ensure_connection", side_effect=refused):
        yield


class OutageTests(HubTestCase):
    def setUp(self):
        self.client = Client(raise_request_exception=False)

    def test_an_outage_answers_503_with_one_log_line(self):
        self.log_in(self.colette)  # a session in the database: the old error page needed it
        pages = [reverse("home"), reverse("board", args=["brussels"]), reverse("vetting_queue", args=["brussels"]),
                 reverse("login")]
        with database_down(), self.assertLogs("django.request", logging.DEBUG) as logs:
            answers = [self.client.get(url) for url in pages * 5]
            posted = self.client.post(reverse("login"), {"email": "hugo@example.org", "password": "x"})
        for r in answers[:3] + [posted]:
            self.assertContains(r, TRY_AGAIN, status_code=503)
            self.assertEqual(r["Retry-After"], "60")
            self.assertNotContains(r, "Traceback", status_code=503)
        self.assertEqual(len(logs.records), 1, logs.output)
        self.assertIsNone(logs.records[0].exc_info)
        self.assertIn("database unreachable", logs.output[0])
        self.assertIn("Connection refused", logs.output[0])

    def test_error_pages_need_neither_database_nor_session(self):
        with database_down():
            self.assertContains(self.client.get("/no/such/page/at/all/"), "Not found", status_code=404)
            expired = Client(enforce_csrf_checks=True).post(reverse("login"), {"email": "a@b.c", "password": "x"})
            self.assertContains(expired, "This form expired", status_code=403)
            self.assertContains(self.client.get(reverse("login"), HTTP_HOST="evil.example"), "Bad request",
                                status_code=400)

    def test_a_crash_that_is_not_an_outage_still_logs_its_traceback(self):
        self.log_in(self.hugo)
        with mock.patch("nightstay.hubs.views.Membership.objects.filter", side_effect=RuntimeError("bug")), \
                self.assertLogs("django.request", "ERROR") as logs:
            r = self.client.get(reverse("home"))
        self.assertContains(r, "Something went wrong", status_code=500)
        self.assertIsNotNone(logs.records[0].exc_info)


@unittest.skipUnless(connection.vendor == "postgresql", "a closed port is a PostgreSQL server gone; SQLite has none")
class ClosedPortTests(TransactionTestCase):
    def test_the_database_on_a_closed_port_gives_503(self):
        user = User.objects.create_user("hugo@example.org", "correct horse battery staple", first_name="Hugo")
        client = Client(raise_request_exception=False)
        client.force_login(user)
        port = connection.settings_dict["PORT"]
        connection.close()
        connection.settings_dict["PORT"] = "9"  # nothing listens on the discard port
        outage_filter().last = float("-inf")
        try:
            with self.assertLogs("django.request", logging.DEBUG) as logs:
                answers = [client.get(reverse("home")) for _ in range(5)]
        finally:
            connection.close()
            connection.settings_dict["PORT"] = port
        for r in answers:
            self.assertContains(r, TRY_AGAIN, status_code=503)
        self.assertEqual(len(logs.records), 1, logs.output)


def test_kept_connections_are_checked_before_use():
    code = "from nightstay.site import settings as s; print(s.DATABASES['default']['CONN_HEALTH_CHECKS'])"
    for age, expected in (("60", "True"), ("0", "False")):
        env = {**os.environ, "DB_CONN_MAX_AGE": age}
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                             check=True).stdout.strip()
        assert out == expected, (age, out)
