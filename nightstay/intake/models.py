"""A party waiting at the meeting point tonight.

What is stored is the least that lets the night work: size, gender mix, minors, vulnerable
(and why, as a category), languages, an optional nickname (sealed), when they arrived, how
many of the last seven nights they slept outside (from their card). Never a family name,
nationality, birth date, document, photo or guest phone: a schema test fails on such a field.
"""
from __future__ import annotations

import secrets
import uuid

from django.db import models

from nightstay.privacy.fields import SealedField
from nightstay.privacy.labels import label

TICKET_ALPHABET = "ACDEFHJKMNPRTUVWXY3479"  # no look-alikes to call out in a noisy park


class Party(models.Model):
    class Gender(models.TextChoices):
        MEN = "m", "men"
        WOMEN = "f", "women"
        MIXED = "mixed", "family / mixed"

    class Why(models.TextChoices):
        NONE = "", "-"
        MEDICAL = "medical", "medical"
        WOMAN_ALONE = "woman", "woman alone"
        MINOR = "minor", "minor"

    class Status(models.TextChoices):
        WAITING = "waiting", "waiting"
        PLACED = "placed", "placed"
        ON_THE_WAY = "departed", "on the way"
        ARRIVED = "arrived", "arrived"
        LEFT = "left", "left the park"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    night = models.ForeignKey("hubs.Night", on_delete=models.CASCADE, related_name="parties")
    ticket = models.CharField(max_length=6)
    size = models.PositiveSmallIntegerField(default=1)
    gender = models.CharField(max_length=5, choices=Gender.choices, default=Gender.MEN)
    minor = models.BooleanField(default=False)
    vulnerable = models.BooleanField(default=False)
    vulnerable_why = models.CharField(max_length=8, choices=Why.choices, blank=True, default="")
    languages = models.CharField(max_length=60, blank=True)
    nickname = SealedField()
    nights_outside = models.PositiveSmallIntegerField(default=0)
    returning_to = models.ForeignKey("pledges.Home", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    waiting_since = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.WAITING)

    data_labels = {
        "id": label("technical", "night"),
        "night": label("technical", "night"),
        "ticket": label("technical", "night", "random, called out in the park"),
        "size": label("operational", "night"),
        "gender": label("operational", "night"),
        "minor": label("operational", "night"),
        "vulnerable": label("operational", "night"),
        "vulnerable_why": label("operational", "night", "a category, never a diagnosis"),
        "languages": label("operational", "night"),
        "nickname": label("sealed", "night", "optional; whatever name the guest chooses to give"),
        "nights_outside": label("operational", "night"),
        "returning_to": label("personal", "night", "tonight only: no guest-to-host history is kept"),
        "waiting_since": label("operational", "night"),
        "status": label("technical", "night"),
    }

    class Meta:
        constraints = [models.UniqueConstraint(fields=["night", "ticket"], name="one_ticket_per_night")]
        ordering = ["waiting_since"]

    def __str__(self):
        return self.ticket

    @staticmethod
    def new_ticket() -> str:
        return "".join(secrets.choice(TICKET_ALPHABET) for _ in range(4))
