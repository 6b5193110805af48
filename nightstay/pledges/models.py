"""Homes, bed pledges and seat pledges.

A host's street address is sealed and audited (``SealedField(audited=True)``); the home's
location is stored, and given to the planner, only as the centre of a grid cell of 500 m to
2 km (``areas.coarse``): enough to plan a route, never enough to find a door.
A pledge is for one date or recurs; ``is_open_on(day)`` is the one rule that says whether
it offers anything that night.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import date, time, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _, ngettext

from nightstay.hubs.models import Night, NightEvent, gender_list
from nightstay.privacy.crypto import blind_index
from nightstay.privacy.fields import SealedField
from nightstay.privacy.labels import label

from . import hooks
from .areas import coarse
from .words import WORDS



class Home(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    hub = models.ForeignKey("hubs.Hub", on_delete=models.CASCADE, related_name="homes")
    host = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="homes")
    address = SealedField(audited=True)
    lat = models.FloatField(help_text="the centre of a cell of 500 m to 2 km")
    lon = models.FloatField(help_text="the centre of a cell of 500 m to 2 km")
    area = models.CharField(max_length=80)

    data_labels = {
        "id": label("technical", "account"),
        "hub": label("technical", "account"),
        "host": label("personal", "account"),
        "address": label("location", "account", "sealed; revealed only to the driver going there, audited"),
        "lat": label("operational", "account", "a cell of 500 m (city) to 2 km (villages): plans, finds no door"),
        "lon": label("operational", "account"),
        "area": label("personal", "account"),
    }

    def save(self, *args, **kwargs):
        """Whatever location was given, only its cell's centre is stored."""
        self.lat, self.lon = coarse(self.lat, self.lon, self.hub.meeting_lat, self.hub.meeting_lon)
        super().save(*args, **kwargs)


class Recurrence(models.TextChoices):
    ONCE = "once", _("one night only")
    WEEKLY = "weekly", _("every week on this day")
    EVERY_N_WEEKS = "nweeks", _("every few weeks on this day")
    DAILY = "daily", _("every night until")


class PledgeQuerySet(models.QuerySet):
    def open_on(self, day: date) -> list:
        """These pledges that are open on the night of ``day``: the database narrows by dates,
        ``is_open_on`` (the one rule) decides."""
        rows = self.filter(withdrawn=False, first_date__lte=day).exclude(until__lt=day)
        return [p for p in rows if p.is_open_on(day)]


class Recurring(models.Model):
    """When a pledge offers something: one date, every week, every n weeks, every night until."""

    recurrence = models.CharField(max_length=6, choices=Recurrence.choices, default=Recurrence.ONCE)
    first_date = models.DateField()
    until = models.DateField(null=True, blank=True)
    every_weeks = models.PositiveSmallIntegerField(default=1)
    cancelled_dates = models.JSONField(default=list, blank=True)
    confirmed_dates = models.JSONField(default=list, blank=True)  # "still on tonight?" answered yes
    withdrawn = models.BooleanField(default=False)

    objects = PledgeQuerySet.as_manager()

    class Meta:
        abstract = True

    recurring_labels = {
        "recurrence": label("operational", "account"),
        "first_date": label("operational", "account"),
        "until": label("operational", "account"),
        "every_weeks": label("operational", "account"),
        "cancelled_dates": label("operational", "account"),
        "confirmed_dates": label("operational", "account", "the night the volunteer last said still holds; older ones dropped"),
        "withdrawn": label("technical", "account"),
    }

    def is_open_on(self, day: date) -> bool:
        """Whether the pledge offers anything on the night of ``day``.

        A one-night pledge is open on its date only; a weekly one on the same weekday from its
        first date on; an every-n-weeks one every n-th such weekday; a daily one every night. Any
        of them stops after ``until``, skips the nights cancelled one by one, and is closed for
        good once withdrawn (the row stays so the volunteer sees what they gave)."""
        if self.withdrawn or day < self.first_date or day.isoformat() in self.cancelled_dates:
            return False
        if self.until and day > self.until:
            return False
        if self.recurrence == Recurrence.ONCE:
            return day == self.first_date
        if self.recurrence == Recurrence.DAILY:
            return True
        weeks, rest = divmod((day - self.first_date).days, 7)
        step = 1 if self.recurrence == Recurrence.WEEKLY else max(1, self.every_weeks)
        return rest == 0 and weeks % step == 0

    def open_nights(self, start: date, days: int = 14) -> list[date]:
        """The nights this pledge is open on among the ``days`` from ``start``: what "my pledges" lists."""
        return [start + timedelta(n) for n in range(days) if self.is_open_on(start + timedelta(n))]

    def is_over(self, today: date) -> bool:
        """Nothing left to offer from ``today`` on: withdrawn, past its last night, or a past one-off."""
        if self.withdrawn or (self.until and self.until < today):
            return True
        return self.recurrence == Recurrence.ONCE and self.first_date < today

    def cancel_night(self, day: date) -> None:
        """Take one night out of the pledge; the pattern goes on. Cancelling twice changes nothing."""
        if day.isoformat() not in self.cancelled_dates:
            self.cancelled_dates = sorted([*self.cancelled_dates, day.isoformat()])
            self.save(update_fields=["cancelled_dates"])

    def call_off(self, day: date) -> bool:
        """The volunteer cancels the night of ``day``: by their own "cancel", or by answering no to
        "still on tonight?". If that night's announced plan counted on the pledge, the night is
        told first (an alert on the board, its guests to place again); then the night is taken
        out, a stay that held it ends from it on (``hooks``), and the night's live pages redraw.
        Returns whether the plan, or a stay, counted on it."""
        counted = self.is_counted_on(day)
        self.tell_the_night(day)  # people have emergencies: allowed, and the coordinators see it at once
        self.cancel_night(day)
        cut = hooks.nights_taken_back(self, day)  # a stay holding that night ends from it on (planning)
        for night in Night.objects.filter(hub_id=self.hub_key, date=day):
            night.changed()
        return counted or bool(cut)

    def confirm_night(self, day: date) -> None:
        """The volunteer said the night of ``day`` still holds. Only that night and later ones are
        kept: the pledge does not become a diary of the nights its volunteer gave."""
        if self.is_open_on(day) and day.isoformat() not in self.confirmed_dates:
            self.confirmed_dates = sorted({*(d for d in self.confirmed_dates if d > day.isoformat()), day.isoformat()})
            self.save(update_fields=["confirmed_dates"])

    def is_confirmed_on(self, day: date) -> bool:
        return day.isoformat() in self.confirmed_dates

    def withdraw(self) -> None:
        """End the whole pledge: every coming night, at once (and the stays that counted on them)."""
        self.withdrawn = True
        self.save(update_fields=["withdrawn"])
        hooks.nights_taken_back(self, Night.day_of())

    def describe(self) -> str:
        """The pattern in a few words, for the volunteer's list."""
        day = WEEKDAYS[self.first_date.weekday()]
        if self.recurrence == Recurrence.ONCE:
            return _("the night of %(date)s") % {"date": date_format(self.first_date, "l j F")}
        if self.recurrence == Recurrence.DAILY:
            return _("every night until %(date)s") % {"date": date_format(self.until, "j F") if self.until else "…"}
        if self.recurrence == Recurrence.WEEKLY:
            pattern = _("every %(day)s") % {"day": day}
        else:
            pattern = ngettext("every %(n)s week on %(day)s", "every %(n)s weeks on %(day)s", self.every_weeks) % {
                "n": self.every_weeks, "day": day}
        if self.until:  # "every 2 weeks" that ends this month may be a single night: say so
            pattern += " " + _("until %(date)s") % {"date": date_format(self.until, "j F")}
        return pattern


class BedPledge(Recurring):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    home = models.ForeignKey(Home, on_delete=models.CASCADE, related_name="pledges")
    beds = models.PositiveSmallIntegerField()
    pickup = models.CharField(max_length=6, choices=[("self", _("I pick guests up")),
                                                     ("driver", _("a driver brings them"))])
    genders = models.CharField(max_length=20, default="m,f,mixed")
    minors = models.BooleanField(default=False)
    max_party = models.PositiveSmallIntegerField(default=2)
    languages = models.CharField(max_length=60, blank=True, help_text="comma list, e.g. fr,en")
    ready_from = models.TimeField(default=time(21, 0))
    latest_arrival = models.TimeField(default=time(23, 30))
    welcomes_back = models.BooleanField(default=True)

    data_labels = {
        **Recurring.recurring_labels,
        "id": label("technical", "account"),
        "home": label("technical", "account"),
        "beds": label("operational", "account"),
        "pickup": label("operational", "account"),
        "genders": label("operational", "account"),
        "minors": label("operational", "account"),
        "max_party": label("operational", "account"),
        "languages": label("operational", "account"),
        "ready_from": label("operational", "account"),
        "latest_arrival": label("operational", "account"),
        "welcomes_back": label("operational", "account"),
    }

    def is_counted_on(self, day: date) -> bool:
        """Whether the announced dispatch of that night has placed guests in this home. Cancelling
        then would leave them at a closed door: the host must tell the coordinators instead."""
        return Night.objects.filter(hub_id=self.home.hub_id, date=day, placements__home_id=self.home_id,
                                    placements__announced=True).exists()

    def tell_the_night(self, day: date) -> None:
        """Cancelled or withdrawn while that night's announced plan counts on this home: the night
        records it (an alert on the board) and its guests are to be placed again."""
        night = Night.objects.filter(hub_id=self.home.hub_id, date=day).first()
        if (night is None or night.status == Night.Status.CLOSED or not self.is_open_on(day)
                or not self.is_counted_on(day)):
            return
        people = (night.placements.filter(home_id=self.home_id, arrived_at__isnull=True)
                  .aggregate(n=models.Sum("party__size"))["n"] or 0)
        NightEvent.record(night, NightEvent.Kind.HOST_CANCELLED, by=self.home.host, ref=str(self.home_id),
                          people=people)

    @property
    def hub_key(self):
        return self.home.hub_id

    @property
    def volunteer(self):
        return self.home.host

    @property
    def accepts_list(self) -> list[str]:
        """Which of m, f, mixed the host takes, in that order (the night format's ``accepts.genders``)."""
        return gender_list(self.genders)

    @property
    def language_list(self) -> list[str]:
        return [code.strip() for code in self.languages.split(",") if code.strip()]


class SeatPledge(Recurring):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    hub = models.ForeignKey("hubs.Hub", on_delete=models.CASCADE, related_name="seat_pledges")
    driver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="seat_pledges")
    seats = models.PositiveSmallIntegerField(default=3)
    available_from = models.TimeField(default=time(20, 30))
    available_until = models.TimeField(default=time(0, 30))
    home_lat = models.FloatField(help_text="where the night ends, rounded to ~1 km")
    home_lon = models.FloatField()

    data_labels = {
        **Recurring.recurring_labels,
        "id": label("technical", "account"),
        "hub": label("technical", "account"),
        "driver": label("personal", "account"),
        "seats": label("operational", "account"),
        "available_from": label("operational", "account"),
        "available_until": label("operational", "account"),
        "home_lat": label("operational", "account", "rounded to ~1 km: counts kilometres, finds no door"),
        "home_lon": label("operational", "account"),
    }

    def is_counted_on(self, day: date) -> bool:
        """Whether the announced dispatch of that night gives this driver trips. Cancelling then
        would leave guests waiting in the park: the driver must tell the coordinators instead."""
        return Night.objects.filter(hub_id=self.hub_id, date=day, trips__driver_id=self.driver_id).exists()

    def tell_the_night(self, day: date) -> None:
        """Cancelled or withdrawn while that night's announced plan gives this driver trips: the
        night records it (an alert on the board) and the driver is out of the next plan."""
        night = Night.objects.filter(hub_id=self.hub_id, date=day).first()
        if (night is None or night.status == Night.Status.CLOSED or not self.is_open_on(day)
                or not self.is_counted_on(day)):
            return
        NightEvent.record(night, NightEvent.Kind.DRIVER_CANCELLED, by=self.driver, driver=self.driver)

    @property
    def hub_key(self):
        return self.hub_id

    @property
    def volunteer(self):
        return self.driver

    def save(self, *args, **kwargs):
        self.home_lat, self.home_lon = round(self.home_lat, 2), round(self.home_lon, 2)
        super().save(*args, **kwargs)


class WelcomeCard(models.Model):
    """A returning guest's way back to a host, without a guest-to-host history on the server.

    The host gives the guest a card with a random phrase; only a slow hash of it sits here,
    on the host's home. At intake a coordinator types the phrase from the card and the
    matching home becomes the party's ``returning_to``.

    The phrase is four words from a list of 256 (32 bits), hashed with scrypt and a salt of its
    own. To find a card without hashing every card of the hub, each card also keeps a 12-bit
    ``hint``: a keyed HMAC of the phrase (the key lives outside the database, like the field
    keys), so a seized database alone gives no shortcut to the phrases.
    """

    WORDS_PER_PHRASE = 4
    SCRYPT = {"n": 2**12, "r": 8, "p": 1, "dklen": 32}  # ~4 MB, a few ms: slow enough offline, quick at intake

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    home = models.ForeignKey(Home, on_delete=models.CASCADE, related_name="welcome_cards")
    phrase_hash = models.CharField(max_length=200)
    hint = models.CharField(max_length=3, db_index=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    data_labels = {
        "id": label("technical", "account"),
        "home": label("technical", "account"),
        "phrase_hash": label("technical", "account", "a slow hash; the phrase is only on the guest's card"),
        "hint": label("technical", "account", "12 bits of a keyed HMAC of the phrase: finds the card to check"),
        "created_at": label("technical", "account"),
    }

    @staticmethod
    def normalise(phrase: str) -> str:
        """Lower case, any separators: "Lemon tiger  RIVER-cup" and "lemon-tiger-river-cup" are one phrase."""
        words = "".join(c if c.isalpha() else " " for c in phrase.lower()).split()
        return "-".join(words)

    @classmethod
    def _hash(cls, phrase: str, salt: bytes) -> str:
        digest = hashlib.scrypt(phrase.encode(), salt=salt, maxmem=64 * 2**20, **cls.SCRYPT)
        return f"scrypt${salt.hex()}${digest.hex()}"

    @classmethod
    def issue(cls, home: Home) -> tuple["WelcomeCard", str]:
        """A new card for ``home``; the phrase is returned once, to print, and never stored."""
        phrase = "-".join(secrets.choice(WORDS) for _ in range(cls.WORDS_PER_PHRASE))
        card = cls.objects.create(home=home, phrase_hash=cls._hash(phrase, secrets.token_bytes(16)),
                                  hint=blind_index(phrase)[:3])
        return card, phrase

    def matches(self, phrase: str) -> bool:
        _scheme, salt, digest = self.phrase_hash.split("$")
        return hmac.compare_digest(self._hash(self.normalise(phrase), bytes.fromhex(salt)), self.phrase_hash)

    @classmethod
    def find_home(cls, hub, phrase: str) -> Home | None:
        """The home of the hub whose card carries ``phrase``, or None. Only the few cards sharing the
        phrase's hint are hashed."""
        phrase = cls.normalise(phrase)
        if phrase.count("-") != cls.WORDS_PER_PHRASE - 1:
            return None
        cards = cls.objects.filter(home__hub=hub, hint=blind_index(phrase)[:3]).select_related("home")
        return next((card.home for card in cards if card.matches(phrase)), None)
