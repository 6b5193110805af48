""""Still on tonight?": every host and driver with a pledge tonight is asked once, at the hub's hour.

At ``Hub.ask_hosts_at`` each host with a bed pledge open tonight gets one message
(``still_on``), at ``Hub.ask_drivers_at`` each driver with a seat pledge (``still_driving``):
yes or no by a one-tap link, or by an SMS reply with the message's code (``messaging.replies``
matches it by code, from the number on the account it was sent to). Yes confirms the pledge for that night; no
calls the night off exactly as the volunteer's own "cancel" does (``Recurring.call_off``: if
the announced plan counted on it, an alert and its guests to place again). A pledge asked and
not answered by the deadline (``Hub.still_on_window``) shows as unconfirmed on the board; the
planner still counts on it: a phone that stayed silent is not a cancel.

The clock (``messaging.clock``) calls ``ask_due`` at every tick; asking is idempotent per
pledge and night (the night's row is locked while asking, so two clocks ask once).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from nightstay.hubs.models import Hub, Night
from nightstay.messaging import outbox
from nightstay.messaging.models import Message

from .models import BedPledge, SeatPledge

TEMPLATES = {"hosts": "still_on", "drivers": "still_driving"}
CONFIRMED, ASKED, UNCONFIRMED = "confirmed", "asked", "unconfirmed"
REDRAW = timedelta(seconds=90)  # after a deadline, ticks within this bump the night once or twice


def open_pledges(hub: Hub, day: date, kind: str) -> list[BedPledge] | list[SeatPledge]:
    if kind == "hosts":
        return BedPledge.objects.filter(home__hub=hub).select_related("home__host").open_on(day)
    return SeatPledge.objects.filter(hub=hub).select_related("driver").open_on(day)


def _context(pledge, due: datetime) -> dict:
    if isinstance(pledge, BedPledge):
        return {"beds": pledge.beds, "due": due}
    return {"seats": pledge.seats, "available_from": pledge.available_from, "due": due}


def ask(hub: Hub, day: date, kind: str) -> int:
    """Ask each of the hub's ``kind`` with a pledge open on the night of ``day`` who was not asked
    yet about that pledge that night; how many were asked. Asking again sends nothing new."""
    pledges = open_pledges(hub, day, kind)
    if not pledges:
        return 0
    night = Night.for_date(hub, day)
    if night.status == Night.Status.CLOSED:
        return 0
    template = TEMPLATES[kind]
    _asked_at, due = hub.still_on_window(day, kind)
    asked = 0
    with transaction.atomic():
        Night.objects.select_for_update().filter(pk=night.pk).first()  # two clocks: the second waits, then sees
        done = set(Message.objects.filter(night=night, template=template).values_list("about", flat=True))
        for pledge in pledges:
            if str(pledge.pk) not in done:
                outbox.queue(pledge.volunteer, night, template, _context(pledge, due), about=str(pledge.pk), asks=True)
                asked += 1
    return asked


def ask_due(now: datetime) -> int:
    """The clock's hook: ask every hub whose hour has come and whose answers are not due yet.
    Just after a deadline, the night's live board is told, to show who stayed silent."""
    day = Night.day_of(now)
    asked = 0
    for hub in Hub.objects.all():
        for kind in TEMPLATES:
            start, due = hub.still_on_window(day, kind)
            if start <= now < due:
                asked += ask(hub, day, kind)
            elif due <= now < due + REDRAW:
                for night in Night.objects.filter(hub=hub, date=day, outbox__template=TEMPLATES[kind],
                                                  outbox__answer="").distinct():
                    night.changed()
    return asked


def answered(message: Message, yes: bool) -> None:
    """A yes or no to "still on tonight?" (``messaging.replies`` calls it once, while the night
    lasts): yes confirms the pledge for the message's night, no calls that night off."""
    model = BedPledge if message.template == TEMPLATES["hosts"] else SeatPledge
    try:
        pledge = model.objects.filter(pk=message.about).first()
    except ValidationError:
        return
    if pledge is None or pledge.hub_key != message.hub_id or pledge.volunteer.pk != message.recipient_id:
        return  # deleted, or not theirs: nothing to confirm or cancel
    day = message.night.date
    if yes:
        pledge.confirm_night(day)
    else:
        pledge.call_off(day)


def marks(night: Night, beds, seats) -> dict[str, dict]:
    """What the board shows beside each host and driver tonight, by kind and user id: confirmed,
    asked (the answer not due yet), or unconfirmed (asked, and silent past the deadline)."""
    asked = set(Message.objects.filter(night=night, template__in=TEMPLATES.values()).values_list("about", flat=True))
    now, worst = timezone.now(), {CONFIRMED: 0, ASKED: 1, UNCONFIRMED: 2}
    out: dict[str, dict] = {"hosts": {}, "drivers": {}}
    for kind, pledges in (("hosts", beds), ("drivers", seats)):
        _start, due = night.hub.still_on_window(night.date, kind)
        for pledge in pledges:
            if pledge.is_confirmed_on(night.date):
                mark = CONFIRMED
            elif str(pledge.pk) in asked:
                mark = UNCONFIRMED if now >= due else ASKED
            else:
                continue
            user = pledge.volunteer.pk
            if worst[mark] >= worst.get(out[kind].get(user), -1):
                out[kind][user] = mark
    return out
