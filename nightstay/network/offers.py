"""Counts a hub shares with its network, offers of beds for tonight, and the places they lend.

What leaves a hub is only ``counts()`` and ``as_json(offer)``: numbers, the offering hub's
name and its meeting point (a public park). An accepted offer becomes a ``Shelter`` of the
accepting hub for that night only (``Shelter.night``): the planner, the proposal, the
announcement and the close then treat the lent beds like any shelter, and the lent place
is deleted before that night's rows are purged (``forget_lent_places``).

Where the lent beds are: if the offering hub sends drivers (``seats``), its cars fetch the
guests at the accepting hub's meeting point, so the place stands there and is reached on
foot; otherwise the accepting hub drives the guests to the offering hub's meeting point,
where the offering hub takes over. Either way no address crosses.
"""
from __future__ import annotations

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from nightstay.hubs.models import Hub, Night, Shelter
from nightstay.intake.models import Party
from nightstay.pledges.models import BedPledge, SeatPledge

from .models import Member, Offer, Peer

LIVE = (Offer.State.OFFERED, Offer.State.ACCEPTED)


class Refused(Exception):
    """An offer or an acceptance that cannot be: the message says why, in the user's words."""


def counts(hub: Hub) -> dict:
    """Tonight's numbers for ``hub``: people at the park, beds and seats not yet used or lent."""
    night = hub.tonight()
    in_park = Party.objects.filter(night=night, status__in=(Party.Status.WAITING, Party.Status.PLACED))
    waiting = in_park.aggregate(n=Sum("size"))["n"] or 0
    home_beds = sum(p.beds for p in BedPledge.objects.filter(home__hub=hub).open_on(night.date))
    shelter_beds = Shelter.objects.open_for(night).aggregate(n=Sum("beds"))["n"] or 0
    used = (Party.objects.filter(night=night, placement__announced=True).exclude(status=Party.Status.LEFT)
            .aggregate(n=Sum("size"))["n"] or 0)
    seats = sum(p.seats for p in SeatPledge.objects.filter(hub=hub).open_on(night.date))
    lent = Offer.objects.filter(night=night, from_peer__isnull=True, state__in=LIVE).aggregate(
        beds=Sum("beds"), seats=Sum("seats"))
    return {"hub": hub.name, "night": night.date.isoformat(), "waiting": waiting,
            "beds_free": max(0, home_beds + shelter_beds - used - (lent["beds"] or 0)),
            "seats_free": max(0, seats - (lent["seats"] or 0)), "at": timezone.now().isoformat(timespec="seconds")}


def neighbours(hub: Hub) -> list[Hub]:
    """The other hubs of this installation that share a network with ``hub``."""
    networks = Member.objects.filter(hub=hub).values("network")
    return list(Hub.objects.filter(network_memberships__network__in=networks).exclude(pk=hub.pk).distinct()
                .order_by("name"))


def make(hub: Hub, beds: int, seats: int = 0, *, to_hub: Hub | None = None, to_peer: Peer | None = None,
         genders: str = "m,f,mixed", minors: bool = False) -> Offer:
    free = counts(hub)
    borrowed = Shelter.objects.filter(night=hub.tonight()).aggregate(n=Sum("beds"))["n"] or 0
    free["beds_free"] = max(0, free["beds_free"] - borrowed)  # beds lent to us are not ours to lend on
    if beds < 1:
        raise Refused(_("Offer at least one bed."))
    if beds > free["beds_free"]:
        raise Refused(_("Only %(n)s beds are free tonight.") % {"n": free["beds_free"]})
    if seats > free["seats_free"]:
        raise Refused(_("Only %(n)s seats are free tonight.") % {"n": free["seats_free"]})
    if to_hub is not None and to_hub not in neighbours(hub):
        raise Refused(_("That hub is not in your network."))
    if to_peer is not None and to_peer.hub_id != hub.pk:
        raise Refused(_("That hub is not in your network."))
    return Offer.objects.create(night=hub.tonight(), beds=beds, seats=seats, to_hub=to_hub, to_peer=to_peer,
                                genders=genders, minors=minors)


def open_to(hub: Hub):
    """Offers made tonight by hubs of ``hub``'s networks, to it or to anyone, still open."""
    return (Offer.objects.filter(night__hub__in=neighbours(hub), night__date=Night.day_of(), from_peer__isnull=True,
                                 to_peer__isnull=True, state=Offer.State.OFFERED)
            .filter(Q(to_hub__isnull=True) | Q(to_hub=hub)).select_related("night__hub"))


def open_to_peer(peer: Peer):
    """Our hub's offers tonight that ``peer`` may take: made to it, or open to everyone."""
    return (Offer.objects.filter(night__hub=peer.hub, night__date=Night.day_of(), from_peer__isnull=True,
                                 to_hub__isnull=True, state=Offer.State.OFFERED)
            .filter(Q(to_peer__isnull=True) | Q(to_peer=peer)))


def lend(night: Night, offer: Offer, lender: str, meeting: tuple[float, float]) -> Shelter:
    """The accepting hub's place for the lent beds, for ``night`` only (see the module's doc)."""
    fetched = offer.seats >= 1
    lat, lon = (night.hub.meeting_lat, night.hub.meeting_lon) if fetched else meeting
    how = _("fetched at our park") if fetched else _("at their park")
    return Shelter.objects.create(hub=night.hub, night=night, name=f"{lender}: {offer.beds} ({how})"[:120],
                                  lat=lat, lon=lon, beds=offer.beds, reach="walk" if fetched else "drive",
                                  genders=offer.genders, minors=offer.minors)


@transaction.atomic
def accept(offer_id, hub: Hub) -> Offer:
    """``hub``'s coordinator takes an offer of a hub of its network: the beds join its night."""
    offer = Offer.objects.select_for_update().filter(pk=offer_id).first()
    if offer is None or not open_to(hub).filter(pk=offer.pk).exists():
        raise Refused(_("This offer is no longer open."))
    lender = offer.night.hub
    offer.place = lend(hub.tonight(), offer, lender.name, (lender.meeting_lat, lender.meeting_lon))
    offer.state, offer.accepted_by, offer.decided_at = Offer.State.ACCEPTED, hub, timezone.now()
    offer.save()
    hub.tonight().changed()
    return offer


@transaction.atomic
def accept_for_peer(offer_id, peer: Peer) -> Offer:
    """A peer's hub took one of our offers (over the API): it is theirs now."""
    offer = Offer.objects.select_for_update().filter(pk=offer_id).first()
    if offer is None or not open_to_peer(peer).filter(pk=offer.pk).exists():
        raise Refused("this offer is no longer open")
    offer.state, offer.accepted_by_peer, offer.decided_at = Offer.State.ACCEPTED, peer, timezone.now()
    offer.save()
    return offer


@transaction.atomic
def took_from_peer(peer: Peer, remote: dict) -> Offer:
    """Our hub took a peer's offer and the peer said yes: the beds join our night."""
    night = peer.hub.tonight()
    offer = Offer(night=night, from_peer=peer, remote_id=remote["id"], beds=remote["beds"], seats=remote["seats"],
                  genders=",".join(remote["genders"]), minors=remote["minors"], state=Offer.State.ACCEPTED,
                  accepted_by=peer.hub, decided_at=timezone.now())
    meeting = remote["meeting_point"]
    offer.place = lend(night, offer, peer.name, (meeting["lat"], meeting["lon"]))
    offer.save()
    night.changed()
    return offer


def withdraw(offer_id, hub: Hub) -> Offer:
    offer = Offer.objects.filter(pk=offer_id, night=hub.tonight(), from_peer__isnull=True).first()
    if offer is None or offer.state != Offer.State.OFFERED:
        raise Refused(_("Only an offer nobody took yet can be withdrawn."))
    offer.state, offer.decided_at = Offer.State.WITHDRAWN, timezone.now()
    offer.save(update_fields=["state", "decided_at"])
    return offer


def as_json(offer: Offer) -> dict:
    """An offer as it travels to another installation: counts, a public park, nothing else."""
    hub = offer.night.hub
    return {"id": str(offer.id), "night": offer.night.date.isoformat(), "hub": hub.name, "beds": offer.beds,
            "seats": offer.seats, "genders": [g for g in offer.genders.split(",") if g], "minors": offer.minors,
            "state": offer.state,
            "meeting_point": {"name": hub.meeting_point, "lat": hub.meeting_lat, "lon": hub.meeting_lon}}


def forget_lent_places(night: Night) -> None:
    """Before a night's purge: the places lent for it go (their placements and stops with them)."""
    Shelter.objects.filter(night=night).delete()
