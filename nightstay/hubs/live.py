"""Live pages: the board, run sheets, host notices and guest tickets redraw by themselves.

Each live page carries ``data-live="<its own address>?since=<Night.version>"`` and
``static/nightstay/live.js`` asks that address every 3 seconds. While the night's version
has not grown the answer is an empty 204 (a few hundred bytes with headers); when it grew,
the page is drawn again and its live part swapped in. A light poll rather than server-sent
events: it holds on a weak signal (a lost request is asked again at the next tick, where an
event stream must notice it died and reconnect) and plain WSGI workers serve it, where each
open event stream would hold a worker for the whole night. See docs/architecture.md.
"""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from .models import Night


def unchanged(request: HttpRequest, night: Night) -> HttpResponse | None:
    """The empty answer to a poll of a page whose night did not change since it was drawn, else None."""
    since = request.GET.get("since", "")
    if request.method == "GET" and since.isdigit() and night.version <= int(since):
        return HttpResponse(status=204)
    return None
