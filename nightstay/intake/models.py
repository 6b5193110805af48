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
# Codes the server draws start with one half of the alphabet, codes handed to phones in blocks
# with the other half: a phone registering offline can never pick a code the server drew.
DRAWN_FIRST, BLOCK_FIRST = TICKET_ALPHABET[:11], TICKET_ALPHABET[11:]


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
        # On a stay (planning's ``Stay``): goes to the same host again tonight, not through the
        # park's queue; neither in the queue nor in the planner's night, its beds held.
        STAYING = "staying", _("on a stay")

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
    key = models.UUIDField(null=True, blank=True, editable=False)

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
        "key": label("technical", "night", "random, made by the phone that registered the party"),
    }

    class Meta:
        constraints = [models.UniqueConstraint(fields=["night", "ticket"], name="one_ticket_per_night"),
                       # Random keys made on phones: unique everywhere, so unique per hub (a replay
                       # from another hub is refused, never merged with this one's party).
                       models.UniqueConstraint(fields=["key"], name="one_party_per_key")]
        ordering = ["waiting_since"]

    def __str__(self):
        return self.ticket

    @staticmethod
    def new_ticket() -> str:
        return secrets.choice(DRAWN_FIRST) + "".join(secrets.choice(TICKET_ALPHABET) for _ in range(3))

    def save_with_new_ticket(self, tries: int = 20, ticket: str = "") -> None:
        """Save a new party under a fresh ticket code. Two phones registering at once may draw the
        same code: the database's one-ticket-per-night constraint decides, and the loser draws again.
        ``ticket`` is a code the phone already showed (from its block): kept when still free."""
        if self.waiting_since is None:
            self.waiting_since = timezone.now()
        for _attempt in range(tries):
            self.ticket, ticket = ticket or self.new_ticket(), ""
            try:
                with transaction.atomic():
                    self.save(force_insert=True)
                return
            except IntegrityError:
                if self.key and Party.objects.filter(key=self.key).exists():
                    raise  # the same registration, saved meanwhile by a retry: the caller answers with it
                if not Party.objects.filter(night=self.night_id, ticket=self.ticket).exists():
                    raise
        raise TicketsExhausted(f"no free ticket code after {tries} tries")

    @classmethod
    def register(cls, party: "Party", ticket: str = "", looked: bool = False) -> tuple["Party", bool]:
        """Save ``party`` once per key: a retry, a replay or a late sync of the same registration
        gets the first party back (and False), never a second one. The database's unique key
        decides between two copies arriving at once. ``looked``: the caller already found no party
        with this key."""
        if party.key is not None and not looked:
            first = cls.objects.filter(key=party.key).select_related("night").first()
            if first is not None:
                return first, False
        if ticket and not TicketBlock.holds(party.night, ticket):
            ticket = ""
        try:
            party.save_with_new_ticket(ticket=ticket)
        except IntegrityError:
            first = cls.objects.filter(key=party.key).select_related("night").first() if party.key else None
            if first is None:
                raise
            return first, False
        return party, True

    # Django's own get_FOO_display rebuilds a hashable dict of the field's choices on every call,
    # translating each label to hash it: a tenth of a millisecond a row, most of the time of the
    # board's list of every party waiting (polled by each open board), growing with the queue.
    def get_gender_display(self) -> str:
        return _label(Gender, self.gender)

    def get_vulnerable_why_display(self) -> str:
        return _label(self.Why, self.vulnerable_why)

    def get_status_display(self) -> str:
        return _label(self.Status, self.status)

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


def _label(choices: type[models.TextChoices], value: str) -> str:
    """The label of ``value`` among ``choices`` in the active language; an unknown value as it is."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


BLOCK_SIZE = 40
BLOCK_SPACE = len(BLOCK_FIRST) * len(TICKET_ALPHABET) ** 3  # 117,128 codes = 2**3 * 11**4


class TicketBlock(models.Model):
    """A run of ticket codes handed to one phone for one night, so that it can give out tickets
    with no signal. Block ``number`` covers positions number*40 .. number*40+39 of a shuffled
    list of every code starting with a BLOCK_FIRST letter; numbers are unique per night, so no
    two phones (and no code the server draws) ever share a code."""

    night = models.ForeignKey("hubs.Night", on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()
    holder = models.CharField(max_length=64, help_text="a hash of the session the block was handed to")
    issued_at = models.DateTimeField(default=timezone.now)

    data_labels = {
        "id": label("technical", "night"),
        "night": label("technical", "night"),
        "number": label("technical", "night"),
        "holder": label("technical", "night", "a one-way hash, names nobody"),
        "issued_at": label("technical", "night"),
    }

    class Meta:
        constraints = [models.UniqueConstraint(fields=["night", "number"], name="one_block_per_number")]

    @staticmethod
    def _shuffle(night_id: int) -> tuple[int, int]:
        """A multiplier and an offset of the night: position i is code (a*i + b) mod BLOCK_SPACE."""
        seed = int.from_bytes(signing.Signer(salt="nightstay.intake.block").signature(str(night_id)).encode()[:8])
        a = seed % BLOCK_SPACE | 1
        while a % 11 == 0:
            a += 2
        return a, (seed // BLOCK_SPACE) % BLOCK_SPACE

    @staticmethod
    def _code(index: int) -> str:
        n = len(TICKET_ALPHABET)
        first, rest = divmod(index, n ** 3)
        return BLOCK_FIRST[first] + "".join(TICKET_ALPHABET[rest // n ** k % n] for k in (2, 1, 0))

    @property
    def codes(self) -> list[str]:
        a, b = self._shuffle(self.night_id)
        start = self.number * BLOCK_SIZE
        return [self._code((a * i + b) % BLOCK_SPACE) for i in range(start, start + BLOCK_SIZE)]

    @classmethod
    def number_of(cls, night, ticket: str) -> int | None:
        """Which block of ``night`` a code belongs to, or None for a code from no block."""
        n = len(TICKET_ALPHABET)
        if len(ticket) != 4 or ticket[0] not in BLOCK_FIRST or any(c not in TICKET_ALPHABET for c in ticket):
            return None
        index = BLOCK_FIRST.index(ticket[0]) * n ** 3
        for k, char in zip((2, 1, 0), ticket[1:]):
            index += TICKET_ALPHABET.index(char) * n ** k
        a, b = cls._shuffle(night.pk)
        return ((index - b) * pow(a, -1, BLOCK_SPACE)) % BLOCK_SPACE // BLOCK_SIZE

    @classmethod
    def holds(cls, night, ticket: str) -> bool:
        """The server accepts a code a phone chose only from a block handed out for this night."""
        number = cls.number_of(night, ticket)
        return number is not None and cls.objects.filter(night=night, number=number).exists()

    @classmethod
    def for_holder(cls, night, holder: str) -> "TicketBlock":
        """The phone's block for tonight; a fresh one once three quarters of it are used."""
        block = cls.objects.filter(night=night, holder=holder).order_by("-issued_at", "-pk").first()
        if block is not None and Party.objects.filter(night=night, ticket__in=block.codes).count() < BLOCK_SIZE * 3 // 4:
            return block
        for _attempt in range(20):
            try:
                with transaction.atomic():
                    return cls.objects.create(night=night, holder=holder,
                                              number=secrets.randbelow(BLOCK_SPACE // BLOCK_SIZE))
            except IntegrityError:
                continue
        raise TicketsExhausted("no free block of ticket codes")
