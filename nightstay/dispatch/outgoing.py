"""What the board sends: every driver their run-sheet link, and a coordinator's few words.

"Send every driver their link" queues one message per driver whose link is live and not yet
open on a phone (so a second tap re-sends only to those), through the driver's own channel.
The message does not hold the run-sheet link itself but a link to the driver's own logged-in
"Your run tonight" page, which holds it (with a share button and a code to scan):

- the run-sheet link opens on the first device that opens it, and on no other. Mail
  scanners, the link previews of SMS and chat apps, or a tap on a laptop's webmail would
  each take it before the driver's phone, which would then be refused at the park;
- the link's secret is derived, never stored, so that a copy of the database opens no run
  sheet: a copy of it in an outbox row, a mailbox or an SMS gateway's log would undo that;
- a forwarded or overheard message opens nothing without the driver's log-in.

The board shows each driver's last such message (queued, sent and by which channel, failed)
next to the link's own state (opened on a phone). A coordinator may also message one driver,
or every driver on the road, with a short text: one line, at most 300 characters, control
characters removed, sealed like every body, and refused (kept in the form) when it holds a
ticket code or nickname of the night. A refused text waits for the coordinator in her session,
sealed like a body (the session table is not: a backup would read a guest's nickname there).
"""
from __future__ import annotations

import re
import unicodedata

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from nightstay.hubs.access import HubRequest, hub_role_required
from nightstay.hubs.models import STAFF, Night
from nightstay.intake.models import Party
from nightstay.messaging import outbox
from nightstay.messaging.models import Message
from nightstay.planning.models import Trip
from nightstay.privacy import crypto

from . import links
from .models import RunSheetGrant
from .names import told_apart
from .tell import driver_page, send_link, tonights_drivers

MAX_TEXT = 300
DRAFT = "driver_message_draft"  # a refused text waits in the session, sealed, not lost


def _keep_draft(request, raw: str) -> None:
    request.session[DRAFT] = crypto.seal(raw[:2000], f"driver-draft:{request.user.pk}")


def draft(request) -> str:
    """The coordinator's refused text, to put back in the form ("" when none or unreadable)."""
    sealed = request.session.get(DRAFT)
    try:
        return crypto.open_sealed(sealed, f"driver-draft:{request.user.pk}") if sealed else ""
    except crypto.DecryptionError:  # sealed under a key since removed: a draft is not worth an error
        return ""


def send_links(night: Night) -> int:
    """One message to each driver whose live link is not opened and has no message still waiting."""
    waiting = set(Message.objects.filter(night=night, template="run_sheet", state=Message.State.QUEUED)
                  .values_list("about", flat=True))
    sent = 0
    for grant in links.states(night):
        if grant.state() == "not opened" and str(grant.pk) not in waiting:
            send_link(grant)
            sent += 1
    return sent


def board(night: Night, grants: list[RunSheetGrant], trips) -> dict:
    """The board's part, from the links and trips it shows already (one query more): each link's
    last message and a name that tells its driver apart; the drivers a coordinator may message,
    and how many are on the road."""
    trips = list(trips)
    drivers = {t.driver_id: t.driver for t in trips}
    for g in grants:
        drivers.setdefault(g.driver_id, g.driver)
    names = told_apart(drivers.values())
    last = {}
    for m in (Message.objects.filter(night=night, template="run_sheet").order_by("created_at")
              .only("about", "state", "channel", "sent_at", "created_at")):
        last[m.about] = m
    for g in grants:
        g.name, g.message = names.get(g.driver_id, g.driver.first_name), last.get(str(g.pk))
    return {"driver_names": names, "drivers_to_message": sorted(
                ((str(pk), name) for pk, name in names.items()), key=lambda d: d[1].casefold()),
            "on_the_road": len(_on_the_road(trips)), "links_announced": night.status == Night.Status.ANNOUNCED}


def on_the_road(night: Night) -> set:
    """Drivers with a trip that left and is not over: a stop still to drop, or not yet back."""
    return _on_the_road(Trip.objects.filter(night=night, departed_at__isnull=False).prefetch_related("stops"))


def _on_the_road(trips) -> set:
    now = timezone.now()
    return {t.driver_id for t in trips if t.departed_at is not None
            and (any(s.dropped_at is None for s in t.stops.all()) or t.end_at > now)}


def clean(text: str) -> str:
    """One line of text: control and format characters (bidi overrides too) gone, spaces folded."""
    text = "".join(" " if c in "\r\n\t" else c for c in text)
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co"))
    return re.sub(r"\s+", " ", text).strip()


def _refusal(night: Night, text: str) -> str:
    """Why ``text`` may not go (a guest's ticket code or nickname in it), or ""."""
    words = set(re.findall(r"\w+", text))  # codes are written in capitals: "park" is no ticket PARK
    for party in Party.objects.filter(night=night).only("id", "ticket", "nickname"):  # nicknames unsealed here
        ticket, nickname = party.ticket, party.nickname
        if ticket in words or (nickname and re.search(rf"\b{re.escape(nickname)}\b", text, re.IGNORECASE)):
            return _("A message must not name a guest (ticket or nickname): the run sheet shows who to take.")
    return ""


def _text(request: HubRequest, night: Night) -> str | None:
    """The coordinator's text, cleaned; None (and the draft kept) when refused."""
    raw = request.POST.get("text", "")
    text = clean(raw)
    why = ("" if text else _("Write a few words first.")) or (
        _("At most %(n)d characters: say it shorter.") % {"n": MAX_TEXT} if len(text) > MAX_TEXT else "") or (
        _refusal(night, text))
    if why:
        _keep_draft(request, raw)
        messages.error(request, why)
        return None
    request.session.pop(DRAFT, None)
    return text


def _say(night: Night, driver, text: str, by) -> Message:
    return outbox.queue(driver, night, "from_coordinator",
                        {"text": text, "sender": by.first_name, "link": driver_page(night)})


@hub_role_required(*STAFF)
@require_POST
def send_all(request: HubRequest):
    """One tap after Announce: every driver whose link is not open yet gets a message where it is."""
    night = request.hub.tonight()
    n = send_links(night) if night.status == Night.Status.ANNOUNCED else 0
    night.changed()
    if n:
        messages.success(request, ngettext("Sent to %(n)d driver: their ticks follow here.",
                                           "Sent to %(n)d drivers: their ticks follow here.", n) % {"n": n})
    else:
        messages.info(request, _("Every driver's link is open already, or waiting to go: nothing sent."))
    return redirect("board", hub=request.hub.slug)


@hub_role_required(*STAFF)
@require_POST
def message_driver(request: HubRequest):
    """A short text to one of tonight's drivers."""
    night = request.hub.tonight()
    drivers = {str(d.pk): d for d in tonights_drivers(night)}
    driver = drivers.get(request.POST.get("driver", ""))
    if driver is None:
        _keep_draft(request, request.POST.get("text", ""))
        messages.error(request, _("Choose one of tonight's drivers."))
    elif (text := _text(request, night)) is not None:
        _say(night, driver, text, request.user)
        messages.success(request, _("Sent to %(name)s.") % {"name": told_apart(drivers.values())[driver.pk]})
    return redirect("board", hub=request.hub.slug)


@hub_role_required(*STAFF)
@require_POST
def message_road(request: HubRequest):
    """A short text to every driver on the road now."""
    night = request.hub.tonight()
    road = on_the_road(night)
    if not road:
        _keep_draft(request, request.POST.get("text", ""))
        messages.error(request, _("No driver is on the road now."))
    elif (text := _text(request, night)) is not None:
        for driver in (d for d in tonights_drivers(night) if d.pk in road):
            _say(night, driver, text, request.user)
        messages.success(request, ngettext("Sent to %(n)d driver on the road.",
                                           "Sent to %(n)d drivers on the road.", len(road)) % {"n": len(road)})
    return redirect("board", hub=request.hub.slug)
