"""Homes, bed pledges and seat pledges.

A host's street address is sealed and audited (``SealedField(audited=True)``); the planner
only ever sees the home's coordinates rounded to about 100 m (3 decimals of a degree).
A pledge is for one date or recurs; ``is_open_on(day)`` is the one rule that says whether
it offers anything that night.
"""
from __future__ import annotations

import uuid
from datetime import date, time

from django.conf import settings
from django.db import models

from nightstay.privacy.fields import SealedField
from nightstay.privacy.labels import label

COORD_DECIMALS = 3  # ~110 m of latitude, ~70 m of longitude in Belgium


class Home(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    hub = models.ForeignKey("hubs.Hub", on_delete=models.CASCADE, related_name="homes")
    host = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="homes")
    address = SealedField(audited=True)
    lat = models.FloatField(help_text="rounded to ~100 m")
    lon = models.FloatField(help_text="rounded to ~100 m")
    area = models.CharField(max_length=80)

    data_labels = {
        "id": label("technical", "account"),
        "hub": label("technical", "account"),
        "host": label("personal", "account"),
        "address": label("location", "account", "sealed; revealed only to the driver going there, audited"),
        "lat": label("operational", "account", "rounded to ~100 m: enough to plan, not to find a door"),
        "lon": label("operational", "account"),
        "area": label("personal", "account"),
    }

    def save(self, *args, **kwargs):
        self.lat, self.lon = round(self.lat, COORD_DECIMALS), round(self.lon, COORD_DECIMALS)
        super().save(*args, **kwargs)


class Recurrence(models.TextChoices):
    ONCE = "once", "tonight only"
    WEEKLY = "weekly", "every week on this day"
    EVERY_N_WEEKS = "nweeks", "every few weeks on this day"
    DAILY = "daily", "every night until"


class Recurring(models.Model):
    """When a pledge offers something: one date, every week, every n weeks, every night until."""

    recurrence = models.CharField(max_length=6, choices=Recurrence.choices, default=Recurrence.ONCE)
    first_date = models.DateField()
    until = models.DateField(null=True, blank=True)
    every_weeks = models.PositiveSmallIntegerField(default=1)
    cancelled_dates = models.JSONField(default=list, blank=True)
    withdrawn = models.BooleanField(default=False)

    class Meta:
        abstract = True

    recurring_labels = {
        "recurrence": label("operational", "account"),
        "first_date": label("operational", "account"),
        "until": label("operational", "account"),
        "every_weeks": label("operational", "account"),
        "cancelled_dates": label("operational", "account"),
        "withdrawn": label("technical", "account"),
    }

    def is_open_on(self, day: date) -> bool:
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


class BedPledge(Recurring):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    home = models.ForeignKey(Home, on_delete=models.CASCADE, related_name="pledges")
    beds = models.PositiveSmallIntegerField()
    pickup = models.CharField(max_length=6, choices=[("self", "I pick guests up"), ("driver", "a driver brings them")])
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

    def save(self, *args, **kwargs):
        self.home_lat, self.home_lon = round(self.home_lat, 2), round(self.home_lon, 2)
        super().save(*args, **kwargs)


class WelcomeCard(models.Model):
    """A returning guest's way back to a host, without a guest-to-host history on the server.

    The host gives the guest a card with a random phrase; only a slow hash of it sits here,
    on the host's home. At intake a coordinator types the phrase from the card and the
    matching home becomes the party's ``returning_to``.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    home = models.ForeignKey(Home, on_delete=models.CASCADE, related_name="welcome_cards")
    phrase_hash = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    data_labels = {
        "id": label("technical", "account"),
        "home": label("technical", "account"),
        "phrase_hash": label("technical", "account", "a slow hash; the phrase is only on the guest's card"),
        "created_at": label("technical", "account"),
    }
