"""A hub, the roles people hold in it, its collective shelters, and its nights.

Roles are per hub: a coordinator in Brussels is nobody in Liège. One person may hold
several roles in a hub (host and driver, say): one ``Membership`` row each.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nightstay.planner.night import GENDERS
from nightstay.privacy import retention
from nightstay.privacy.reveal import forget_homes
from nightstay.privacy.labels import label


class Gender(models.TextChoices):
    """A party's gender mix, in the night format's words (``GENDERS``): what a party is, what a
    host or a shelter takes. Men alone and women or families never share a host's home."""

    MEN = "m", _("men")
    WOMEN = "f", _("women")
    MIXED = "mixed", _("family / mixed")


def gender_list(text: str) -> list[str]:
    """A stored comma list of genders ("f,m") in the format's order (``["m", "f"]``)."""
    given = {g.strip() for g in text.split(",")}
    return [g for g in GENDERS if g in given]


# First path segments of the site's own pages: a hub named like one would shadow it or be shadowed
# (``/<hub>/tonight/`` is the board).
RESERVED_SLUGS = frozenset({"admin", "api", "figures", "intake", "login", "logout", "m", "network", "password", "pledges", "run", "static",
                            "two-factor", "volunteer"})


def not_reserved(slug: str) -> None:
    if slug in RESERVED_SLUGS:
        raise ValidationError(_("%(slug)s is a word the site uses for its own pages: choose another."),
                              params={"slug": slug})


def afternoon_or_evening(value: time) -> None:
    """An hour to ask "still on tonight?": from noon on, when ``Night.day_of`` already means tonight."""
    if value.hour < 12:
        raise ValidationError(_("Choose an hour between 12:00 and 23:59: before noon it is still last night."))


class Hub(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(unique=True, validators=[not_reserved])
    meeting_point = models.CharField(max_length=120, help_text="public name of the meeting point")
    meeting_lat = models.FloatField()
    meeting_lon = models.FloatField()
    window_start = models.TimeField(default=time(19, 0))
    window_end = models.TimeField(default=time(1, 0), help_text="may be after midnight")
    shows_figures = models.BooleanField(default=False, help_text="publish the anonymous counts on a public page")
    # "Still on tonight?": when hosts and drivers with a pledge tonight are asked, and how long
    # they have to answer before the board marks their pledge unconfirmed (pledges.still_on).
    ask_hosts_at = models.TimeField(_("ask hosts at"), default=time(17, 0), validators=[afternoon_or_evening])
    ask_drivers_at = models.TimeField(_("ask drivers at"), default=time(19, 30), validators=[afternoon_or_evening])
    answer_within = models.PositiveSmallIntegerField(
        _("minutes to answer"), default=60, validators=[MinValueValidator(10), MaxValueValidator(240)],
        help_text=_("after this, a pledge without an answer shows as unconfirmed on the board"))

    data_labels = {
        "id": label("technical", "hub"),
        "name": label("operational", "hub"),
        "slug": label("technical", "hub"),
        "meeting_point": label("operational", "hub", "a public park: known to everyone"),
        "meeting_lat": label("operational", "hub"),
        "meeting_lon": label("operational", "hub"),
        "window_start": label("operational", "hub"),
        "window_end": label("operational", "hub"),
        "shows_figures": label("technical", "hub", "the hub chose to publish its anonymous counts"),
        "ask_hosts_at": label("operational", "hub"),
        "ask_drivers_at": label("operational", "hub"),
        "answer_within": label("operational", "hub"),
    }

    def __str__(self):
        return self.name

    def still_on_window(self, day: date, kind: str) -> tuple[datetime, datetime]:
        """When the night of ``day`` asks its ``kind`` ("hosts" or "drivers") whether it still
        holds, and when an answer is due: after that, a silent pledge shows as unconfirmed."""
        at = self.ask_hosts_at if kind == "hosts" else self.ask_drivers_at
        asked = timezone.make_aware(datetime.combine(day, at), timezone.get_current_timezone())
        return asked, asked + timedelta(minutes=self.answer_within)

    def tonight(self) -> "Night":
        """Tonight's night for this hub, created on first use."""
        return Night.for_date(self, Night.day_of())

    def panic(self, keep_session: str | None = None) -> dict:
        """Wipe the hub's open nights at once: counts first, then every night-scoped row (run-sheet
        links with them) and every stay, then every session of the hub's members but ``keep_session``."""
        members = Membership.objects.filter(hub=self).values_list("user_id", flat=True)
        with transaction.atomic():
            done = retention.wipe(Night.objects.filter(hub=self), list(members), keep_session, hub_ids=[self.pk])
            forget_homes(self)  # the audit keeps who saw how many addresses, when; no longer which homes
        return done


class Role(models.TextChoices):
    ADMIN = "admin", "hub admin"
    COORDINATOR = "coordinator", "coordinator"
    HOST = "host", "host"
    DRIVER = "driver", "driver"


# The staff of a hub: they see guests' and volunteers' data, so they pass a second factor.
STAFF = (Role.COORDINATOR, Role.ADMIN)


def is_staff(user) -> bool:
    """Staff in some hub: asked for the second factor right after the password."""
    return Membership.objects.filter(user=user, role__in=STAFF).exists()


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=12, choices=Role.choices)
    since = models.DateTimeField(auto_now_add=True)

    data_labels = {
        "id": label("technical", "account"),
        "user": label("personal", "account"),
        "hub": label("technical", "account"),
        "role": label("personal", "account", "who is a host or driver: sensitive inside a raid"),
        "since": label("technical", "account"),
    }

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "hub", "role"], name="one_role_once")]


class ShelterQuerySet(models.QuerySet):
    def open_for(self, night: "Night") -> "ShelterQuerySet":
        """The hub's active shelters on ``night``: its own, and the places lent for that night only."""
        return self.filter(hub_id=night.hub_id, active=True).filter(models.Q(night__isnull=True) | models.Q(night=night))


class Shelter(models.Model):
    """A collective place (a volunteer dormitory): its location is public knowledge in the hub.

    A place with ``night`` set is lent for that night only by another hub (the network app
    makes it when a coordinator accepts an offer of beds, and deletes it when the night is
    purged): a count of beds at a public meeting point, never a home.
    """

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="shelters")
    name = models.CharField(max_length=120)
    lat = models.FloatField()
    lon = models.FloatField()
    beds = models.PositiveIntegerField()
    reach = models.CharField(max_length=5, choices=[("walk", "walk"), ("drive", "drive")], default="walk")
    genders = models.CharField(max_length=20, default="m", help_text="comma list of m, f, mixed")
    minors = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    night = models.ForeignKey("Night", null=True, blank=True, on_delete=models.CASCADE, related_name="lent_places",
                              help_text="set on beds another hub lends for this night only")

    objects = ShelterQuerySet.as_manager()

    data_labels = {
        "id": label("technical", "hub"),
        "hub": label("technical", "hub"),
        "night": label("technical", "hub", "beds lent by another hub: deleted before the night's purge"),
        "name": label("operational", "hub"),
        "lat": label("operational", "hub", "a collective shelter, not a home"),
        "lon": label("operational", "hub"),
        "beds": label("operational", "hub"),
        "reach": label("operational", "hub"),
        "genders": label("operational", "hub"),
        "minors": label("operational", "hub"),
        "active": label("technical", "hub"),
    }

    def __str__(self):
        return self.name


# What the apps above do when a hub's night is first opened (planning brings in the stays that
# hold it): filled in their ``AppConfig.ready()``, run once per night, never on a page's poll.
NIGHT_OPENED: list = []


def on_night_opened(hook) -> None:
    """``hook(night)`` runs once, when ``night`` is created."""
    if hook not in NIGHT_OPENED:
        NIGHT_OPENED.append(hook)


class Night(models.Model):
    """One evening of one hub, from the window's start to its end (the next morning).

    The row itself holds nothing personal; the night-scoped rows hanging from it (parties,
    placements, trips, run-sheet links) are purged 12 hours after ``end``.
    """

    class Status(models.TextChoices):
        OPEN = "open", "open"
        ANNOUNCED = "announced", "announced"
        CLOSED = "closed", "closed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="nights")
    date = models.DateField()
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    purged_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)

    data_labels = {
        "id": label("technical", "counts"),
        "hub": label("technical", "counts"),
        "date": label("operational", "counts"),
        "start": label("operational", "counts"),
        "end": label("operational", "counts"),
        "status": label("technical", "counts"),
        "purged_at": label("technical", "counts"),
        "version": label("technical", "counts", "a number that grows with every change: live pages ask it"),
    }

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hub", "date"], name="one_night_per_hub_and_date")]
        ordering = ["-date"]

    def __str__(self):
        return f"{self.hub} {self.date}"

    def changed(self) -> None:
        """Something on this night changed (a registration, a cancel, a plan, a tap): every live
        page of the night (board, run sheets, host notices, tickets) asks for ``version`` and
        redraws when it grew. One atomic update, so two coordinators' taps both count."""
        Night.objects.filter(pk=self.pk).update(version=models.F("version") + 1)

    @staticmethod
    def day_of(moment: datetime | None = None) -> date:
        """The date of the night ``moment`` (default: now) belongs to. Before noon it is still last
        night: a coordinator at 2 a.m. and a host checking at 9 a.m. both mean the evening before."""
        moment = timezone.localtime(moment)
        return moment.date() - timedelta(days=1) if moment.hour < 12 else moment.date()

    @staticmethod
    def coming_evening(moment: datetime | None = None) -> date:
        """The date of the next night to begin, for a pledge: at 9 a.m. last night is still under
        way (``day_of``), but a host who pledges a bed then means the evening to come, today's."""
        return timezone.localdate(moment)

    @classmethod
    def for_date(cls, hub: Hub, day: date) -> "Night":
        tz = timezone.get_current_timezone()
        start = timezone.make_aware(datetime.combine(day, hub.window_start), tz)
        end_day = day + timedelta(days=1) if hub.window_end <= hub.window_start else day
        end = timezone.make_aware(datetime.combine(end_day, hub.window_end), tz)
        night, created = cls.objects.get_or_create(hub=hub, date=day, defaults={"start": start, "end": end})
        night.hub = hub  # the caller's row: reading night.hub again costs no query
        if created:
            for hook in NIGHT_OPENED:
                hook(night)
        return night

    def is_over(self) -> bool:
        return timezone.now() >= self.end

    def purge_due(self) -> datetime:
        return self.end + timedelta(hours=settings.NIGHT_RETENTION_HOURS)


class NightEvent(models.Model):
    """Something that changed the night after its plan was made, as the board's timeline shows it.

    Why a row of its own: a plan is made from the night as it stood; what happened since
    (a host cancels, a driver is late, a party is not at the pickup spot) must reach the next
    plan and the coordinators, and must say what still needs a decision (an alert) until the
    next announcement takes it. Night-scoped: purged with the night. It holds no name: who
    is concerned is a user row or a ticket code, a home or shelter by its id.
    """

    class Kind(models.TextChoices):
        HOST_CANCELLED = "host_cancelled", _("a host cancelled tonight")
        DRIVER_CANCELLED = "driver_cancelled", _("a driver cancelled tonight")
        DRIVER_ABSENT = "driver_absent", _("a driver did not come")
        DRIVER_HOME = "driver_home", _("a driver went home")
        DRIVER_LATE = "driver_late", _("a driver runs late")
        PARTY_LEFT = "party_left", _("a party left the park")
        PARTY_NOT_FOUND = "party_not_found", _("a party was not at the pickup spot")
        NEWCOMER = "newcomer", _("newcomers registered after the announcement")
        SHELTER_FULL = "shelter_full", _("the dormitory is full")
        ANNOUNCED = "announced", _("a plan was announced")
        DEPARTED = "departed", _("a car left the park")
        DROPPED = "dropped", _("guests were dropped")
        STAY_ENDED = "stay_ended", _("a stay ended early: its host cancelled")

    # What asks a coordinator for a decision (a new plan) until the next announcement.
    ALERTS = {Kind.HOST_CANCELLED, Kind.DRIVER_CANCELLED, Kind.DRIVER_ABSENT, Kind.DRIVER_HOME, Kind.DRIVER_LATE,
              Kind.PARTY_NOT_FOUND, Kind.NEWCOMER, Kind.SHELTER_FULL, Kind.STAY_ENDED}

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    night = models.ForeignKey(Night, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    driver = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    ref = models.CharField(max_length=48, blank=True, default="")
    minutes = models.SmallIntegerField(null=True, blank=True)
    people = models.PositiveSmallIntegerField(default=0)
    decided_at = models.DateTimeField(null=True, blank=True)

    data_labels = {
        "id": label("technical", "night"),
        "night": label("technical", "night"),
        "at": label("operational", "night"),
        "kind": label("operational", "night"),
        "by": label("personal", "night", "who tapped it: deleted with the night"),
        "driver": label("personal", "night", "the driver concerned, if any"),
        "ref": label("technical", "night", "a ticket code, a home's or shelter's id: never a name"),
        "minutes": label("operational", "night", "how late a driver reported running"),
        "people": label("operational", "night", "how many people it concerns"),
        "decided_at": label("technical", "night", "when an announcement took it into account"),
    }

    class Meta:
        ordering = ["-at"]

    @classmethod
    def record(cls, night: Night, kind: str, **fields) -> "NightEvent":
        """Record what happened and tell the live pages (``Night.changed``). A closed night is
        over: it refuses what would change it (``NightClosed``)."""
        if night.status == Night.Status.CLOSED:
            raise NightClosed(night)
        event = cls.objects.create(night=night, kind=kind, **fields)
        night.changed()
        return event

    @property
    def is_alert(self) -> bool:
        return self.kind in self.ALERTS and self.decided_at is None


class NightClosed(Exception):
    """The night is closed: nothing changes it any more."""
