"""Stays: a guest's several nights with one host, out of the park's queue.

- ``make``: a stay from tonight's announced placement in a home (a coordinator, or the host
  whose guest it is): tonight's placement is pinned and is the stay's first night.
- ``book``: a stay booked ahead (a weekend, a holiday), from its first night on.
- ``bring_in``: each night a stay holds gets, once, its party (status ``staying``) and that
  party's placement at the home; run when a night opens, when a stay is made, and before a
  night file is built.
- ``end``: either side, one tap: the stay's row is deleted, with its parties of nights not
  yet begun; a night under way keeps its guest (they are at the host's or on the way).
- ``over``: what the purge deletes on its own: the stays whose last night is over.

The planner sees a stay's guest once at most: on the first night of a stay made from a
placement, as that placement pinned (``fixed``); on every other night not at all, the beds
taken from the host's pledge (``nightfile._gone``).
"""
from __future__ import annotations

from datetime import date, timedelta

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from nightstay.hubs.models import Night
from nightstay.intake.models import DRAWN_FIRST, Party
from nightstay.pledges.models import BedPledge, Home

from .models import Placement, Stay

MAX_NIGHTS = 14  # two weeks: a holiday; longer is a host's own arrangement, not a stay to plan around


class StayRefused(Exception):
    """A stay the host's pledges or the night refuse: the message says why, in the user's language."""


def over(now) -> models.Q:
    """Stays whose last night is over (before noon it is still last night)."""
    return models.Q(last_night__lt=Night.day_of(now))


def holding(hub_id, day: date):
    return Stay.objects.filter(hub_id=hub_id, first_night__lte=day, last_night__gte=day)


def could_stay(night: Night):
    """Tonight's guests placed in a home by the announced plan who are not on a stay yet."""
    return (Placement.objects.filter(night=night, announced=True, home__isnull=False, stay__isnull=True)
            .exclude(party__status__in=(Party.Status.LEFT, Party.Status.STAYING))
            .select_related("party", "home__host").order_by("party__ticket"))


def _pledge_on(home: Home, day: date) -> BedPledge | None:
    """The pledge the night file reads for ``home`` on ``day``: its largest open one."""
    pledges = BedPledge.objects.filter(home=home).order_by("-beds", "id").open_on(day)
    return pledges[0] if pledges else None


def _taken(home: Home, day: date, stays: list[Stay]) -> tuple[int, set[str]]:
    """People already counted in ``home`` on ``day`` (placed, or on a stay not brought in yet) and their kinds."""
    rows = (Placement.objects.filter(night__hub_id=home.hub_id, night__date=day, home=home)
            .exclude(party__status=Party.Status.LEFT).values_list("party__size", "party__gender", "stay_id"))
    people, kinds, brought = 0, set(), set()
    for size, gender, stay_id in rows:
        people += size
        kinds.add(gender)
        brought.add(stay_id)
    for stay in stays:
        if stay.pk not in brought:
            people += stay.size
            kinds.add(stay.gender)
    return people, kinds


def check(home: Home, days: list[date], size: int, gender: str, minor: bool) -> list[str]:
    """Why ``home`` cannot hold this party on some of ``days``, one message a night; [] when it can."""
    problems = []
    for day in days:
        when = date_format(day, "l j F")
        pledge = _pledge_on(home, day)
        if pledge is None:
            problems.append(_("%(host)s has no bed pledged on the night of %(date)s.") % {
                "host": home.host.first_name, "date": when})
            continue
        people, kinds = _taken(home, day, list(holding(home.hub_id, day).filter(home=home)))
        mixes = kinds and (gender == "m") != ("m" in kinds)
        if gender not in pledge.accepts_list or (minor and not pledge.minors) or size > pledge.max_party or mixes:
            problems.append(_("%(host)s does not take this party on the night of %(date)s.") % {
                "host": home.host.first_name, "date": when})
        elif people + size > pledge.beds:
            problems.append(_("%(host)s has no bed left on the night of %(date)s.") % {
                "host": home.host.first_name, "date": when})
    return problems


def _nights(first: date, count: int) -> list[date]:
    return [first + timedelta(days=n) for n in range(count)]


def make(placement: Placement, more: int, pickup: str = Stay.Pickup.DIRECT) -> Stay:
    """Tonight's placement in a home becomes a stay: tonight and ``more`` nights after it."""
    night, party = placement.night, placement.party
    if not 1 <= more < MAX_NIGHTS:
        raise StayRefused(_("A stay lasts 2 to %(n)s nights.") % {"n": MAX_NIGHTS})
    with transaction.atomic():
        home = Home.objects.select_for_update().select_related("host").get(pk=placement.home_id)  # one stay at a time per home
        placement = Placement.objects.select_for_update().get(pk=placement.pk)
        if not placement.announced or placement.home_id is None or night.status == Night.Status.CLOSED:
            raise StayRefused(_("Only a guest placed in a home tonight can stay there."))
        if placement.stay_id or party.status == Party.Status.STAYING:
            raise StayRefused(_("This guest is already on a stay."))
        days = _nights(night.date + timedelta(days=1), more)
        if problems := check(home, days, party.size, party.gender, party.minor):
            raise StayRefused(" ".join(problems))
        stay = Stay.objects.create(hub_id=night.hub_id, home=home, first_night=night.date, last_night=days[-1],
                                   pickup=pickup, ticket=party.ticket, size=party.size, gender=party.gender,
                                   minor=party.minor, vulnerable_why=party.vulnerable_why,
                                   languages=party.languages, nickname=party.nickname)
        placement.stay, placement.pinned = stay, True  # kept through any re-planning tonight
        placement.save(update_fields=["stay", "pinned"])
        _bring_in_nights(stay)
    night.changed()
    return stay


def book(home: Home, first: date, count: int, party: Party, pickup: str = Stay.Pickup.DIRECT) -> Stay:
    """A stay booked ahead for ``count`` nights from ``first``; ``party`` (unsaved) says who."""
    if not 1 <= count <= MAX_NIGHTS:
        raise StayRefused(_("A stay lasts 1 to %(n)s nights.") % {"n": MAX_NIGHTS})
    if first < Night.day_of():
        raise StayRefused(_("This night is over: book from tonight on."))
    with transaction.atomic():
        home = Home.objects.select_for_update().select_related("host").get(pk=home.pk)
        days = _nights(first, count)
        if problems := check(home, days, party.size, party.gender, party.minor):
            raise StayRefused(" ".join(problems))
        stay = Stay.objects.create(hub_id=home.hub_id, home=home, first_night=first, last_night=days[-1],
                                   pickup=pickup, ticket=Party.new_ticket(), size=party.size, gender=party.gender,
                                   minor=party.minor, vulnerable_why=party.vulnerable_why,
                                   languages=party.languages, nickname=party.nickname)
        _bring_in_nights(stay)
    return stay


def _bring_in_nights(stay: Stay) -> None:
    """The stay's nights already opened (tonight, usually) get its party now."""
    for night in Night.objects.filter(hub_id=stay.hub_id, date__range=(stay.first_night, stay.last_night)):
        bring_in(night)


def bring_in(night: Night) -> int:
    """Each stay holding ``night`` gets its party and placement on it, once (the party's key decides
    between two requests at the same moment); how many were brought in."""
    if night.status == Night.Status.CLOSED:
        return 0
    stays = list(holding(night.hub_id, night.date).select_related("home"))
    if not stays:
        return 0
    there = set(Placement.objects.filter(night=night, stay__in=stays).values_list("stay_id", flat=True))
    made = 0
    for stay in stays:
        if stay.pk in there:
            continue
        party = Party(night=night, key=stay.key_on(night.date), size=stay.size, gender=stay.gender,
                      minor=stay.minor, vulnerable=bool(stay.vulnerable_why), vulnerable_why=stay.vulnerable_why,
                      languages=stay.languages, nickname=stay.nickname, waiting_since=night.start,
                      status=Party.Status.STAYING)
        # The code the guest knows, when free tonight; a code from a phone's block is never
        # reused (another phone may hand it out tonight).
        ticket = stay.ticket if stay.ticket[:1] in DRAWN_FIRST else ""
        try:
            with transaction.atomic():
                party.save_with_new_ticket(ticket=ticket)
                Placement.objects.create(night=night, party=party, home=stay.home, stay=stay, pinned=True,
                                         announced=True)
        except IntegrityError:
            continue  # brought in by another request meanwhile
        made += 1
    if made:
        night.changed()
    return made


def end(stay: Stay) -> None:
    """End the stay now (either side, one tap): its row goes, so nothing links the guest to the
    host any more; the parties of its nights not yet begun go too, a night under way keeps its
    guest until that night's own purge."""
    now = timezone.now()
    with transaction.atomic():
        nights = set()
        for placement in Placement.objects.filter(stay=stay).select_related("night", "party"):
            if placement.night.start > now and placement.party.status == Party.Status.STAYING:
                placement.party.delete()
                nights.add(placement.night)
        stay.delete()
    for night in nights:
        night.changed()
    for night in Night.objects.filter(hub_id=stay.hub_id, date=Night.day_of(now)):
        night.changed()  # the board and the host's page redraw without the stay
