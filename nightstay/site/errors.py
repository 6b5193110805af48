"""Error pages that need neither the database nor the session, and a calm answer to an outage.

Every error page is ``error.html`` rendered without a request: no context processor runs,
so nothing asks for the user, the session or the hub, and the page still shows when the
database is gone (the old error page asked for the session and failed again, once per
request). A request that meets a database outage (Django's ``OperationalError`` or
``InterfaceError``, wherever it is raised: a view or a middleware) gets a 503 "try again in a
minute" with ``Retry-After``; ``OutageLogFilter`` turns Django's traceback for it into one
line a minute, so an outage under load does not bury the log in tracebacks.
"""
from __future__ import annotations

import logging
import sys
import time

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

OUTAGE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER = 60


def static_page(status: int, title: str, detail: str = "", again: str = "") -> HttpResponse:
    html = render_to_string("error.html", {"title": title, "detail": detail, "again": again})
    response = HttpResponse(html, status=status)
    response["Cache-Control"] = "no-store"
    return response


def outage_page(request) -> HttpResponse:
    response = static_page(503, _("The site cannot reach its database just now."),
                           _("Try again in a minute. If you were sending a form, go back and send it again."),
                           again=request.get_full_path() if request.method == "GET" else "/")
    response["Retry-After"] = str(RETRY_AFTER)
    return response


def bad_request(request, exception=None):
    return static_page(400, _("Bad request"))


def permission_denied(request, exception=None):
    return static_page(403, _("Not allowed"))


def page_not_found(request, exception=None):
    return static_page(404, _("Not found"))


def server_error(request):
    """Django's 500 handler, called while the exception is being handled: an outage gets its 503."""
    if isinstance(sys.exc_info()[1], OUTAGE_ERRORS):
        return outage_page(request)
    return static_page(500, _("Something went wrong"))


def csrf_failure(request, reason=""):
    """A form posted after its page expired (a phone left in a pocket): say so plainly, never Django's page."""
    return static_page(403, _("This form expired. Go back, reload and try again."))


class OutageLogFilter(logging.Filter):
    """On ``django.request``: a database outage logs one line a minute (per process), no traceback."""

    every = RETRY_AFTER

    def __init__(self):
        super().__init__()
        self.last = float("-inf")

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if not isinstance(error, OUTAGE_ERRORS):
            return True
        now = time.monotonic()
        if now - self.last < self.every:
            return False
        self.last = now
        first_line = (str(error).strip().splitlines() or [""])[0][:200]
        record.msg = "database unreachable (%s: %s): answering 503 until it is back"
        record.args = (type(error).__name__, first_line)
        record.exc_info, record.exc_text = None, None
        return True
