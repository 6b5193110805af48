"""A host takes back a night a stay holds: the stay ends from that night on.

A host may always cancel (people have emergencies), by their own "cancel", by answering no
to "still on tonight?", by withdrawing the pledge or editing it to fewer nights. A stay must not go on expecting the
guest at a home that no longer offers a bed: ``follow`` (run by pledges after nights are taken
back, ``pledges.hooks``) finds the first night from then on when the stay's home has no open
bed pledge left, and ``cut`` ends the stay there:

- tonight (a night not over): the stay's guest is no longer on a stay but to place again, in
  tonight's queue (status ``waiting``, the placement at the home gone) where the planner and
  the coordinators see them, and their ticket page says to wait for a place;
- a later night: its party (if that night is already open) goes, as when a stay is ended;
- the stay is shortened to end the night before, or deleted when nothing is left of it;
- tonight's board gets an alert, "a stay ended early", with the stay's code and size.

A home that still has another open bed pledge that night keeps its stays.
"""
from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from nightstay.hubs.models import Hub, Night, NightEvent
from nightstay.intake.models import Party
from nightstay.pledges.models import BedPledge

from .models import Placement, Stay
from .stays import _pledge_on, bring_in


def follow(pledge, since: date) -> int:
    """After ``pledge`` stopped offering nights from ``since`` on: end its home's stays from the
    first night it no longer offers a bed; how many stays were cut."""
    if not isinstance(pledge, BedPledge):
        return 0
    home, cut_count = pledge.home, 0
    for stay in Stay.objects.filter(home=home, last_night__gte=since).order_by("first_night"):
        day = max(stay.first_night, since)
        while day <= stay.last_night and _pledge_on(home, day) is not None:
            day += timedelta(days=1)
        if day <= stay.last_night:
            cut(stay, day, by=home.host)
            cut_count += 1
    return cut_count


def cut(stay: Stay, day: date, by=None) -> None:
    """End ``stay`` from the night of ``day`` on (see the module's docstring)."""
    now, tonight = timezone.now(), Night.day_of()
    changed: set[Night] = set()
    with transaction.atomic():
        stay = Stay.objects.select_for_update().get(pk=stay.pk)
        for night in Night.objects.filter(hub_id=stay.hub_id, date=day):  # its party may not be in yet
            if day == tonight and not night.is_over():
                bring_in(night)
        placements = (Placement.objects.filter(stay=stay, night__date__gte=day, party__status=Party.Status.STAYING)
                      .select_related("night", "party"))
        for placement in placements:
            night, party = placement.night, placement.party
            if night.date == tonight and night.status != Night.Status.CLOSED and not night.is_over():
                placement.delete()  # to place again: in the queue, the planner's night, the ticket says wait
                Party.objects.filter(pk=party.pk).update(status=Party.Status.WAITING)
                changed.add(night)
            elif night.start > now:
                party.delete()  # a later night not begun: nobody expected there any more
                changed.add(night)
        if stay.first_night >= day:
            stay.delete()
        else:
            Stay.objects.filter(pk=stay.pk).update(last_night=day - timedelta(days=1))
        board = _board(stay.hub_id)
        if board is not None:
            NightEvent.record(board, NightEvent.Kind.STAY_ENDED, by=by, ref=stay.ticket, people=stay.size)
    for night in changed:
        night.changed()


def _board(hub_id) -> Night | None:
    """The night whose board the coordinators look at now: tonight's, or after it closed, the next."""
    hub = Hub.objects.get(pk=hub_id)
    for day in (Night.day_of(), Night.coming_evening()):
        night = Night.for_date(hub, day)
        if night.status != Night.Status.CLOSED:
            return night
    return None
