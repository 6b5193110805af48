"""Hubs that help each other: who is in a network, the other installations we talk to, offers.

Nothing here names a guest, a host or a home: a network shares counts (people waiting,
beds and seats free) and offers of beds for one night. An offer lives as long as the night
it belongs to and is purged with it.
"""
from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from nightstay.privacy.crypto import KeyError_, KeyRing
from nightstay.privacy.fields import SealedField
from nightstay.privacy.labels import label


class Network(models.Model):
    """Hubs of this installation that see each other's counts and offers."""

    name = models.CharField(max_length=120)

    data_labels = {"id": label("technical", "hub"), "name": label("operational", "hub")}

    def __str__(self):
        return self.name


class Member(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="members")
    hub = models.ForeignKey("hubs.Hub", on_delete=models.CASCADE, related_name="network_memberships")

    data_labels = {"id": label("technical", "hub"), "network": label("technical", "hub"),
                   "hub": label("technical", "hub")}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["network", "hub"], name="one_membership_per_network")]


def check_keys(text: str) -> None:
    try:
        KeyRing.parse(text)
    except KeyError_ as exc:
        raise ValidationError(str(exc)) from None


class Peer(models.Model):
    """A hub on another installation that one of our hubs works with, and the keys the pair shares.

    ``keys`` is a key ring written like the field keys (``id:base64key``, comma or line
    separated): the first key signs, every key listed verifies. To rotate, put the new key
    first on both sides, then drop the old one once both have it. Sealed at rest.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    hub = models.ForeignKey("hubs.Hub", on_delete=models.CASCADE, related_name="peers")
    name = models.CharField(max_length=120, help_text="the other hub's name")
    remote_slug = models.SlugField(help_text="the other hub's slug on its installation")
    url = models.URLField(help_text="the other installation's address, e.g. https://liege.example.org")
    keys = SealedField(validators=[check_keys])

    data_labels = {
        "id": label("technical", "hub"),
        "hub": label("technical", "hub"),
        "name": label("operational", "hub"),
        "remote_slug": label("technical", "hub"),
        "url": label("operational", "hub", "the other installation's public address"),
        "keys": label("sealed", "hub", "the pair's signing keys"),
    }

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hub", "remote_slug"], name="one_peer_per_remote_hub")]

    def __str__(self):
        return self.name

    def ring(self) -> KeyRing:
        return KeyRing.parse(self.keys)


class Offer(models.Model):
    """Beds (and the drivers to take guests there) one hub offers another for one night.

    ``night`` is the night of this installation the row belongs to: the offering hub's when
    we made it, the accepting hub's when a peer made it and one of our hubs accepted it
    (``from_peer`` and ``remote_id`` then say where it came from). ``to_hub`` and ``to_peer``
    both empty: open to every hub of the offering hub's networks and peers.
    """

    class State(models.TextChoices):
        OFFERED = "offered", _("offered")
        ACCEPTED = "accepted", _("accepted")
        WITHDRAWN = "withdrawn", _("withdrawn")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    night = models.ForeignKey("hubs.Night", on_delete=models.CASCADE, related_name="offers")
    from_peer = models.ForeignKey(Peer, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    remote_id = models.UUIDField(null=True, blank=True)
    to_hub = models.ForeignKey("hubs.Hub", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    to_peer = models.ForeignKey(Peer, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    beds = models.PositiveIntegerField()
    seats = models.PositiveIntegerField(default=0, help_text="drivers' seats: the offering hub fetches the guests")
    genders = models.CharField(max_length=20, default="m,f,mixed")
    minors = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OFFERED)
    accepted_by = models.ForeignKey("hubs.Hub", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    accepted_by_peer = models.ForeignKey(Peer, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    place = models.ForeignKey("hubs.Shelter", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    data_labels = {name: label("operational", "night", "a count of beds between two hubs") for name in (
        "id", "night", "from_peer", "remote_id", "to_hub", "to_peer", "beds", "seats", "genders", "minors", "state",
        "accepted_by", "accepted_by_peer", "place", "created_at", "decided_at")}

    class Meta:
        ordering = ["created_at"]
        constraints = [models.CheckConstraint(condition=models.Q(beds__gte=1), name="an_offer_has_beds")]

    @property
    def hub(self):
        """The offering hub when it is one of ours, else None."""
        return None if self.from_peer_id else self.night.hub
