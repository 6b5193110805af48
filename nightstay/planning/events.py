"""What happens to tonight after its plan is made, and what each thing changes.

Placements and trips move through states, kept on the rows that already exist: a party is
proposed (a plan run), announced (``Placement.announced``), departed (``Trip.departed_at``,
the party ``on the way``), dropped (``Stop.dropped_at``) or arrived (``Placement.arrived_at``).
Everything else that changes the night is a ``NightEvent``: a coordinator's tap on the
board, a driver's on the run sheet, a host's cancel on their pledges. Each one is recorded
here with what it changes at once (a party that left leaves its car; a late driver is back
later), and the next plan reads the rest from the events (``nightfile``): who is out, who is
late, which dormitory is full. What asks for a new plan shows as an alert on the board until
the next announcement takes it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from nightstay.hubs.models import Night, NightClosed, NightEvent, Shelter
from nightstay.intake.models import Party

from .models import Placement, Stop, Trip

Kind = NightEvent.Kind
LATE_STEPS = (10, 20, 30)  # the run sheet's one-tap "running late" buttons, in minutes
DRIVER_OUT = (Kind.DRIVER_ABSENT, Kind.DRIVER_HOME, Kind.DRIVER_CANCELLED)

__all__ = ["NightClosed", "depart", "drop", "driver_out", "driver_late", "party_gone", "newcomer",
           "shelter_full", "decided", "timeline", "alerts"]


def _open(night: Night) -> Night:
    """The night's row, locked like every change of the plan; a closed night refuses."""
    night = Night.objects.select_for_update().get(pk=night.pk)
    if night.status == Night.Status.CLOSED:
        raise NightClosed(night)
    return night


def depart(trip: Trip, by=None) -> bool:
    """The car leaves the park: its guests are on the way. A second tap changes nothing."""
    with transaction.atomic():
        night = _open(trip.night)
        if not Trip.objects.filter(pk=trip.pk, departed_at__isnull=True).update(departed_at=timezone.now()):
            return False
        people = (Party.objects.filter(placement__stop__trip=trip, status=Party.Status.PLACED)
                  .aggregate(n=Sum("size"))["n"] or 0)
        Party.objects.filter(placement__stop__trip=trip, status=Party.Status.PLACED).update(
            status=Party.Status.ON_THE_WAY)
        NightEvent.record(night, Kind.DEPARTED, by=by, driver=trip.driver, people=people)
    return True


def drop(stop: Stop, by=None) -> bool:
    """The guests of ``stop`` are at their door: arrived."""
    with transaction.atomic():
        night = _open(stop.trip.night)
        now = timezone.now()
        if not Stop.objects.filter(pk=stop.pk, dropped_at__isnull=True).update(dropped_at=now):
            return False
        here = Placement.objects.filter(stop=stop, party__status=Party.Status.ON_THE_WAY)
        people = here.aggregate(n=Sum("party__size"))["n"] or 0
        Party.objects.filter(placement__in=here).update(status=Party.Status.ARRIVED)
        here.update(arrived_at=now)
        NightEvent.record(night, Kind.DROPPED, by=by, driver=stop.trip.driver, people=people)
    return True


def driver_out(night: Night, driver, kind: str, by=None) -> NightEvent:
    """A driver did not come, or went home: out of the next plan. Their trips still to leave
    stay on the board until the next announcement gives their guests other cars."""
    if kind not in DRIVER_OUT:
        raise ValueError(kind)
    with transaction.atomic():
        night = _open(night)
        people = (Placement.objects.filter(night=night, stop__trip__driver=driver, stop__trip__departed_at__isnull=True,
                                           party__status=Party.Status.PLACED).aggregate(n=Sum("party__size"))["n"] or 0)
        return NightEvent.record(night, kind, by=by, driver=driver, people=people)


def driver_late(night: Night, driver, minutes: int, by=None) -> NightEvent:
    """``+minutes`` on the driver's return (or arrival at the park): the next plan counts it."""
    if minutes not in LATE_STEPS:
        raise ValueError(minutes)
    with transaction.atomic():
        night = _open(night)
        event = NightEvent.record(night, Kind.DRIVER_LATE, by=by, driver=driver, minutes=minutes)
        _push_back(night, driver)
        return event


def _push_back(night: Night, driver) -> None:
    """The driver's trips still to leave start when the driver can: after the trip they are on is
    back (with the delay they reported), or ``late`` minutes from now if they are not on the road.
    The run sheet says the truth at once; the next plan decides what else changes."""
    trips = list(Trip.objects.filter(night=night, driver=driver).order_by("seq"))
    gone = [t for t in trips if t.departed_at is not None]
    if gone:
        free = gone[-1].end_at + timedelta(minutes=late_minutes(night, driver, gone[-1].departed_at))
    else:
        free = timezone.now() + timedelta(minutes=late_minutes(night, driver))
    for trip in (t for t in trips if t.departed_at is None):
        shift = free - trip.depart
        if shift > timedelta(0):
            Trip.objects.filter(pk=trip.pk).update(depart=trip.depart + shift, end_at=trip.end_at + shift)
            for stop in trip.stops.all():
                Stop.objects.filter(pk=stop.pk).update(arrive=stop.arrive + shift)
                Placement.objects.filter(stop=stop).update(arrive=stop.arrive + shift)
            trip.end_at += shift
        free = trip.end_at


def late_minutes(night: Night, driver, since=None) -> int:
    """How late the driver said they run, since ``since`` (their last departure)."""
    rows = NightEvent.objects.filter(night=night, kind=Kind.DRIVER_LATE, driver=driver)
    if since is not None:
        rows = rows.filter(at__gte=since)
    return rows.aggregate(n=Sum("minutes"))["n"] or 0


def party_gone(party: Party, kind: str = Kind.PARTY_LEFT, by=None) -> NightEvent:
    """A party left the park, or was not at the pickup spot: out of the night and of its car.
    Its placement goes, so the host notice and run sheet no longer expect it."""
    if kind not in (Kind.PARTY_LEFT, Kind.PARTY_NOT_FOUND):
        raise ValueError(kind)
    with transaction.atomic():
        night = _open(party.night)
        Party.objects.filter(pk=party.pk).update(status=Party.Status.LEFT)
        Placement.objects.filter(party=party).delete()
        return NightEvent.record(night, kind, by=by, ref=party.ticket, people=party.size)


def shelter_full(night: Night, shelter: Shelter, by=None) -> NightEvent:
    """The dormitory turns people away: nobody more is sent there tonight."""
    with transaction.atomic():
        night = _open(night)
        people = (Placement.objects.filter(night=night, shelter=shelter, party__status__in=(
            Party.Status.WAITING, Party.Status.PLACED)).aggregate(n=Sum("party__size"))["n"] or 0)
        return NightEvent.record(night, Kind.SHELTER_FULL, by=by, ref=str(shelter.pk), people=people)


def full_shelters(night: Night) -> set[int]:
    return {int(r) for r in night.events.filter(kind=Kind.SHELTER_FULL).values_list("ref", flat=True)}


def drivers_out(night: Night) -> set:
    return set(night.events.filter(kind__in=DRIVER_OUT).values_list("driver_id", flat=True))


def decided(night: Night, by=None) -> None:
    """An announcement took every open alert into account (called inside its transaction)."""
    NightEvent.objects.filter(night=night, decided_at__isnull=True).update(decided_at=timezone.now())
    NightEvent.record(night, Kind.ANNOUNCED, by=by)


@dataclass
class Line:
    """One line of the board's timeline."""

    event: NightEvent
    text: str

    @property
    def alert(self) -> bool:
        return self.event.is_alert


def _say(event: NightEvent) -> str:
    what = str(event.get_kind_display())
    parts = [what]
    if event.driver_id:
        parts.append(event.driver.first_name)
    if event.kind in (Kind.PARTY_LEFT, Kind.PARTY_NOT_FOUND, Kind.NEWCOMER, Kind.STAY_ENDED) and event.ref:
        parts.append(event.ref)
    if event.minutes:
        parts.append(f"+{event.minutes} min")
    if event.people and event.kind != Kind.DROPPED and event.kind != Kind.DEPARTED:
        parts.append(_("%(n)s to place again") % {"n": event.people} if event.kind in NightEvent.ALERTS
                     else _("%(n)s people") % {"n": event.people})
    return " · ".join(parts)


def timeline(night: Night, n: int = 12) -> list[Line]:
    """The night's last ``n`` events, newest first."""
    rows = night.events.select_related("driver").order_by("-at")[:n]
    return [Line(e, _say(e)) for e in rows]


def alerts(night: Night) -> list[Line]:
    """What needs a decision: events since the last announcement that a new plan must take."""
    rows = night.events.filter(kind__in=NightEvent.ALERTS, decided_at__isnull=True).select_related("driver")
    return [Line(e, _say(e)) for e in rows.order_by("-at")]

