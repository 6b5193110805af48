"""Tonight's plan: the planner's runs (proposals) and, once announced, the plan as rows.

A plan run keeps the night file it was made from and the plan that came back; the board
shows the latest finished one. Placements (with the coordinators' pins), trips and their
stops are written by dispatch's "Announce" and read by run sheets and host notices.
All of it is night-scoped: purged 12 hours after the night's window ends. The tables keep
the names they had when these models lived in dispatch.
"""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from nightstay.privacy.fields import SealedField
from nightstay.privacy.labels import label
from nightstay.privacy.night_fields import NightSealedJSONField


class PlanRun(models.Model):
    """One run of the planner on tonight's state, in the background; its plan is a proposal."""

    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        RUNNING = "running", "running"
        DONE = "done", "done"
        FAILED = "failed", "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    night = models.ForeignKey("hubs.Night", on_delete=models.CASCADE, related_name="plan_runs")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    night_json = NightSealedJSONField(null=True, blank=True)  # sealed under the night's key (crypto-shredding)
    plan_json = NightSealedJSONField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    data_labels = {
        "id": label("technical", "night"),
        "night": label("technical", "night"),
        "created_at": label("technical", "night"),
        "created_by": label("personal", "night"),
        "status": label("technical", "night"),
        "night_json": label("operational", "night", "ids, sizes, rounded coordinates: no names, no addresses; "
                                                    "sealed under the night's key, which the panic destroys"),
        "plan_json": label("operational", "night", "which ticket goes to which place; sealed under the night's key"),
        "error": label("technical", "night"),
        "heartbeat_at": label("technical", "night", "the worker's sign of life while it solves"),
    }

    class Meta:
        db_table = "dispatch_planrun"



class Trip(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    night = models.ForeignKey("hubs.Night", on_delete=models.CASCADE, related_name="trips")
    driver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trips")
    seq = models.PositiveSmallIntegerField()
    depart = models.DateTimeField()
    end = models.CharField(max_length=13, choices=[("meeting_point", "back to the park"), ("home", "home")])
    end_at = models.DateTimeField()
    km = models.FloatField(default=0)
    departed_at = models.DateTimeField(null=True, blank=True)

    data_labels = {
        "id": label("technical", "night"),
        "night": label("technical", "night"),
        "driver": label("personal", "night"),
        "seq": label("technical", "night"),
        "depart": label("operational", "night"),
        "end": label("operational", "night"),
        "end_at": label("operational", "night"),
        "km": label("operational", "night"),
        "departed_at": label("technical", "night"),
    }

    class Meta:
        db_table = "dispatch_trip"
        ordering = ["driver_id", "seq"]


class Stop(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="stops")
    order = models.PositiveSmallIntegerField()
    home = models.ForeignKey("pledges.Home", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    shelter = models.ForeignKey("hubs.Shelter", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    arrive = models.DateTimeField()
    dropped_at = models.DateTimeField(null=True, blank=True)

    data_labels = {
        "id": label("technical", "night"),
        "trip": label("technical", "night"),
        "order": label("technical", "night"),
        "home": label("personal", "night"),
        "shelter": label("operational", "night"),
        "arrive": label("operational", "night"),
        "dropped_at": label("technical", "night"),
    }

    class Meta:
        db_table = "dispatch_stop"
        ordering = ["trip", "order"]


class Placement(models.Model):
    """A party's place tonight: a home or a shelter. ``pinned`` ones survive re-planning."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    night = models.ForeignKey("hubs.Night", on_delete=models.CASCADE, related_name="placements")
    party = models.OneToOneField("intake.Party", on_delete=models.CASCADE, related_name="placement")
    home = models.ForeignKey("pledges.Home", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    shelter = models.ForeignKey("hubs.Shelter", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    stop = models.ForeignKey(Stop, null=True, blank=True, on_delete=models.SET_NULL, related_name="placements")
    arrive = models.DateTimeField(null=True, blank=True)
    pinned = models.BooleanField(default=False)
    announced = models.BooleanField(default=False)
    arrived_at = models.DateTimeField(null=True, blank=True)
    stay = models.ForeignKey("Stay", null=True, blank=True, on_delete=models.SET_NULL, related_name="placements")

    data_labels = {
        "id": label("technical", "night"),
        "night": label("technical", "night"),
        "party": label("technical", "night"),
        "home": label("personal", "night", "who sleeps where tonight: deleted with the night"),
        "shelter": label("operational", "night"),
        "stop": label("technical", "night"),
        "arrive": label("operational", "night"),
        "pinned": label("technical", "night"),
        "announced": label("technical", "night"),
        "arrived_at": label("technical", "night"),
        "stay": label("technical", "night", "tonight is a night of this stay; emptied when the stay ends"),
    }

    class Meta:
        db_table = "dispatch_placement"
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(home__isnull=True) ^ models.Q(shelter__isnull=True)), name="one_place"),
        ]


class Stay(models.Model):
    """A guest's several nights with one host, booked ahead or made from a placement that went well.

    On each of its nights (``planning.stays.bring_in``) the guest is a party of that night with
    status ``staying`` and a placement at the home: not in the park's queue, not in the
    planner's night, and its beds taken from the host's pledge. The row is the one link between
    a guest and a host across nights: it is deleted, never flagged, when either side ends it
    or once its last night is over (``Retention.STAY``); each night's own rows go with the night.
    What it keeps of the guest is what each night's party needs, and the ticket code they know.
    """

    class Pickup(models.TextChoices):
        DIRECT = "direct", _("goes there directly")
        HOST = "host", _("the host picks them up at the park")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    hub = models.ForeignKey("hubs.Hub", on_delete=models.CASCADE, related_name="stays")
    home = models.ForeignKey("pledges.Home", on_delete=models.CASCADE, related_name="stays")
    first_night = models.DateField()
    last_night = models.DateField()
    pickup = models.CharField(max_length=6, choices=Pickup.choices, default=Pickup.DIRECT)
    ticket = models.CharField(max_length=6)
    size = models.PositiveSmallIntegerField(default=1)
    gender = models.CharField(max_length=5, default="m")
    minor = models.BooleanField(default=False)
    vulnerable_why = models.CharField(max_length=8, blank=True, default="")
    languages = models.CharField(max_length=60, blank=True)
    nickname = SealedField()
    created_at = models.DateTimeField(auto_now_add=True)

    data_labels = {
        "id": label("technical", "stay"),
        "hub": label("technical", "stay"),
        "home": label("personal", "stay", "the guest-to-host link: deleted when the stay ends or is over"),
        "first_night": label("operational", "stay"),
        "last_night": label("operational", "stay"),
        "pickup": label("operational", "stay"),
        "ticket": label("technical", "stay", "the code the guest knows, given again each night when free"),
        "size": label("operational", "stay"),
        "gender": label("operational", "stay"),
        "minor": label("operational", "stay"),
        "vulnerable_why": label("operational", "stay", "a category, never a diagnosis"),
        "languages": label("operational", "stay"),
        "nickname": label("sealed", "stay", "optional, as the guest gave it"),
        "created_at": label("technical", "stay"),
    }

    class Meta:
        ordering = ["first_night", "created_at"]

    def __str__(self):
        return f"{self.ticket} {self.first_night}..{self.last_night}"

    def holds(self, day) -> bool:
        return self.first_night <= day <= self.last_night

    def key_on(self, day) -> uuid.UUID:
        """The party key of this stay's night ``day``: one party per stay and night, whoever asks first."""
        return uuid.uuid5(self.id, day.isoformat())
