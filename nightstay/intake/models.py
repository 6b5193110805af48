"""A party waiting at the meeting point tonight.

What is stored is the least that lets the night work: size, gender mix, minors, vulnerable
(and why, as a category), languages, an optional nickname (sealed), when they arrived, how
many of the last seven nights they slept outside (from their card). Never a family name,
nationality, birth date, document, photo or guest phone: a schema test fails on such a field.
"""
from __future__ import annotations

import secrets
import uuid

from django.core import signing
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nightstay.hubs.models import Gender
from nightstay.privacy.fields import SealedField
from nightstay.privacy.labels import label

TICKET_ALPHABET = "ACDEFHJKMNPRTUVWXY3479"  # no look-alikes to call out in a noisy park
TICKET_SALT = "nightstay.intake.ticket"


class TicketsExhausted(Exception):
    """No free ticket code after many tries: the night has far more parties than codes."""


class Party(models.Model):
    Gender = Gender

    class Why(models.TextChoices):
        NONE = "", _("no")
        MEDICAL = "medical", _("medical")
        WOMAN_ALONE = "woman", _("woman alone")
        MINOR = "minor", _("minor")

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting")
        PLACED = "placed", _("placed")
        ON_THE_WAY = "departed", _("on the way")
        ARRIVED = "arrived", _("arrived")
        LEFT = "left", _("left the park")

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

    def save_with_new_ticket(self, tries: int = 20) -> None:
        """Save a new party under a fresh ticket code. Two phones registering at once may draw the
        same code: the database's one-ticket-per-night constraint decides, and the loser draws again."""
        if self.waiting_since is None:
            self.waiting_since = timezone.now()
        for _attempt in range(tries):
            self.ticket = self.new_ticket()
            try:
                with transaction.atomic():
                    self.save(force_insert=True)
                return
            except IntegrityError:
                if not Party.objects.filter(night=self.night_id, ticket=self.ticket).exists():
                    raise
        raise TicketsExhausted(f"no free ticket code after {tries} tries")

    @property
    def language_list(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]

    def put_back(self) -> None:
        """Undo "Left", tapped by mistake in the dark: back in the list as it was, placed again if
        the announced plan still holds a place for the party."""
        if self.status == self.Status.LEFT:
            announced = self.__class__.objects.filter(pk=self.pk, placement__announced=True).exists()
            self.status = self.Status.PLACED if announced else self.Status.WAITING
            self.save(update_fields=["status"])

    def next_step(self) -> dict:
        """What the guest's ticket page says comes next. A time and a volunteer's first name at
        most: never an address, which only the driver going there may see."""
        if self.status == self.Status.LEFT:
            return {"step": "closed"}
        if self.status == self.Status.ARRIVED:
            return {"step": "arrived"}
        try:
            placement = self.placement
        except ObjectDoesNotExist:
            placement = None
        if placement is None or not placement.announced:
            return {"step": "over" if self.night.is_over() else "wait"}
        if placement.stop_id:
            trip = placement.stop.trip
            return {"step": "ride", "time": timezone.localtime(trip.depart), "driver": trip.driver.first_name}
        if placement.home_id:
            return {"step": "host", "host": placement.home.host.first_name}
        shelter = placement.shelter
        return {"step": "walk" if shelter.reach == "walk" else "shelter", "shelter": shelter.name}

    def guest_token(self) -> str:
        """The secret in the guest's ticket link: the party's random id, signed. Unlike the four
        letters called out in the park it cannot be guessed, so nobody can walk through tickets."""
        return signing.Signer(salt=TICKET_SALT).sign(self.pk.hex)

    @staticmethod
    def id_from_guest_token(token: str) -> uuid.UUID | None:
        """The party id a ticket link names, or None for a link this site never made."""
        try:
            return uuid.UUID(hex=signing.Signer(salt=TICKET_SALT).unsign(token))
        except (signing.BadSignature, ValueError):
            return None
