"""No secret link in any log line: a whole night's log, caught at DEBUG from every logger
(django.request, django.security, django.server included), holds none of the tokens issued.

The attack it repeats: a form post refused for its CSRF token logged the full path with a
live run-sheet token, and `make run` printed live password-set links.
"""
from __future__ import annotations

import io
import logging
import re
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager, redirect_stderr
from datetime import datetime

import time_machine
from django.core import mail
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nightstay.privacy.logs import mask

from .scripted_night import ScriptedNightTestCase

EVENING = datetime(2026, 11, 24, 22, 0, tzinfo=timezone.get_fixed_timezone(60))
QUIET_LOGGERS = ("django.request", "django.server", "django.security", "django.security.csrf", "nightstay")


@contextmanager
def everything_logged():
    """Every record of the process at DEBUG, whatever the site's own logging drops, and stderr."""
    seen = io.StringIO()
    catch = logging.StreamHandler(seen)
    catch.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    loggers = [logging.getLogger()] + [logging.getLogger(n) for n in QUIET_LOGGERS]
    before = [(lg.level, lg.disabled) for lg in loggers]
    for lg in loggers:
        lg.addHandler(catch)
        lg.setLevel(logging.DEBUG)
        lg.disabled = False
    try:
        with redirect_stderr(seen):
            yield seen
    finally:
        for lg, (level, disabled) in zip(loggers, before):
            lg.removeHandler(catch)
            lg.setLevel(level)
            lg.disabled = disabled


def through_runserver(paths):
    """runserver's own request handler, whose request lines go to django.server."""
    server = WSGIServer(("127.0.0.1", 0), WSGIRequestHandler)
    server.set_app(WSGIHandler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for path in paths:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{server.server_address[1]}{path}", timeout=10)
            except urllib.error.HTTPError:
                pass
    finally:
        server.shutdown()
        server.server_close()


@time_machine.travel(EVENING, tick=False)
class NightLogTests(ScriptedNightTestCase):
    evening = EVENING

    def test_a_whole_nights_log_holds_no_token(self):
        token, trip = self.rows["token"], self.rows["trip"]
        ticket = self.rows["parties"][2].guest_token()
        sheet = reverse("run_sheet", args=[token])
        ticket_page = reverse("intake:ticket", args=[ticket])
        refusing = Client(enforce_csrf_checks=True, raise_request_exception=False)
        with everything_logged() as log:
            self.assertEqual(Client().get(sheet).status_code, 200)  # the driver opens the link
            # A post refused for its CSRF token (a phone that slept): the path once held the token.
            self.assertEqual(refusing.post(reverse("departed", args=[token, trip.pk])).status_code, 403)
            self.assertEqual(Client().get(sheet[:-3] + "xx/").status_code, 404)  # a forged link
            self.assertEqual(Client().get(ticket_page).status_code, 200)
            self.assertEqual(Client().get(ticket_page[:-3] + "xx/").status_code, 404)
            # A password link, used and reused, and a refused post on its form.
            Client().post(reverse("password_reset"), {"email": "hugo@example.org"})
            link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
            path = link.split("://", 1)[1].split("/", 1)[1]
            Client().get("/" + path, follow=True)
            refusing.post("/" + path, {"new_password1": "x", "new_password2": "x"})
            # runserver's request lines (`make run`), with the run sheet and the ticket.
            through_runserver([sheet, ticket_page, "/" + path])
        text = log.getvalue()
        self.assertIn("/run/…/", text)  # the lines are there, masked
        self.assertIn("Forbidden (CSRF", text)
        uidb64, reset_token = path.strip("/").split("/")[-2:]
        for secret in (token, token.split(".")[-1], ticket, ticket.split(":")[-1], reset_token, uidb64, link):
            self.assertNotIn(secret, text)


def test_the_mask_keeps_the_route_and_drops_the_secret():
    for line, expected in [
        ("Forbidden (CSRF cookie not set.): /run/1a2b3c4d-aaaa-bbbb-cccc-1234567890ab.MACabc123/trips/x/departed/",
         "Forbidden (CSRF cookie not set.): /run/…/trips/x/departed/"),
        ('"GET /intake/ticket/0f1e2d3c4b5a69788796a5b4c3d2e1f0:AbC-dEf_123/ar/ HTTP/1.1" 200 512',
         '"GET /intake/ticket/…/ar/ HTTP/1.1" 200 512'),
        ("Not Found: /password/set/Mg/c4k9zz-0123456789abcdef0123456789abcdef/",
         "Not Found: /password/set/…/…/"),
        ("/run/short/", "/run/…/"),  # a route's secret goes whatever its shape
        ("next=%2Frun%2F0f1e2d3c4b5a69788796a5b4c3d2e1f0.Zm9vYmFy%2F", "next=%2Frun%2F…%2F"),
    ]:
        assert mask(line) == expected, (line, mask(line))
    for harmless in ("Internal Server Error: /brussels/tonight/", "convert_exception_to_response",
                     'File "/srv/nightstay/.venv/lib/python3.11/site-packages/django/core/handlers/base.py"'):
        assert mask(harmless) == harmless
