"""The network page: tonight's counts of the hubs that help each other, and their offers.

Coordinators and hub admins of the hub in the URL only (with their second factor). The
page shows counts and offers, never a guest, a host or an address of another hub: those
never reach this installation (``offers.counts`` and ``offers.as_json`` are all that travels).
"""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nightstay.figures.charts import monthly_svg
from nightstay.hubs.access import HubRequest, hub_role_required
from nightstay.hubs.models import STAFF, Gender, Hub

from . import offers, signing
from .models import Offer, Peer


def _peers(hub: Hub) -> list[dict]:
    """Each peer's counts and open offers, asked live; a peer that does not answer says so."""
    out = []
    for peer in Peer.objects.filter(hub=hub).order_by("name"):
        try:
            out.append({"peer": peer, "counts": signing.call(peer, "GET", "counts/"),
                        "offers": signing.call(peer, "GET", "offers/")["offers"]})
        except (signing.PeerError, KeyError, TypeError) as exc:
            out.append({"peer": peer, "error": str(exc)})
    return out


@hub_role_required(*STAFF)
def network(request: HubRequest):
    """The hubs of this hub's networks and its peers: counts, offers made and taken tonight."""
    hub = request.hub
    night = hub.tonight()
    neighbours = offers.neighbours(hub)
    ctx = {
        "night": night, "mine": offers.counts(hub), "others": [offers.counts(h) for h in neighbours],
        "peers": _peers(hub), "open": offers.open_to(hub), "neighbours": neighbours,
        "peer_choices": Peer.objects.filter(hub=hub).order_by("name"), "genders": Gender.choices,
        "made": Offer.objects.filter(night=night, from_peer__isnull=True).select_related("accepted_by", "to_hub"),
        "taken": Offer.objects.filter(accepted_by=hub, night__date=night.date).select_related("night__hub", "from_peer"),
        "chart": monthly_svg([hub, *neighbours]),
    }
    return render(request, "network/network.html", ctx)


def _number(text: str) -> int:
    try:
        return max(0, int(text or 0))
    except ValueError:
        return -1


@hub_role_required(*STAFF)
@require_POST
def offer(request: HubRequest):
    """Offer beds (and seats) tonight to one hub of the network or to all of them."""
    hub = request.hub
    beds, seats, to = _number(request.POST.get("beds")), _number(request.POST.get("seats")), request.POST.get("to", "")
    genders = ",".join(g for g in request.POST.getlist("genders") if g in Gender.values) or "m,f,mixed"
    kind, _sep, ref = to.partition(":")
    to_hub = Hub.objects.filter(pk=ref).first() if kind == "hub" and ref.isdigit() else None
    to_peer = Peer.objects.filter(hub=hub, pk=ref).first() if kind == "peer" and len(ref) == 36 else None
    try:
        if beds < 0 or seats < 0:
            raise offers.Refused(_("Beds and seats are whole numbers."))
        if to and to_hub is None and to_peer is None:
            raise offers.Refused(_("That hub is not in your network."))
        made = offers.make(hub, beds, seats, to_hub=to_hub, to_peer=to_peer, genders=genders,
                           minors=bool(request.POST.get("minors")))
    except offers.Refused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Offered %(n)s beds for tonight.") % {"n": made.beds})
    return redirect("network", hub=hub.slug)


@hub_role_required(*STAFF)
@require_POST
def accept(request: HubRequest, offer):
    """Take an offer of a hub of this installation: its beds join tonight's plan."""
    try:
        taken = offers.accept(offer, request.hub)
    except offers.Refused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("%(n)s beds from %(hub)s are on tonight's board.")
                         % {"n": taken.beds, "hub": taken.night.hub.name})
    return redirect("network", hub=request.hub.slug)


@hub_role_required(*STAFF)
@require_POST
def accept_remote(request: HubRequest, peer, offer):
    """Take an offer of a hub on another installation: ask it (signed), then lend the beds here."""
    peer_obj = Peer.objects.filter(hub=request.hub, pk=peer).first()
    if peer_obj is None:
        messages.error(request, _("That hub is not in your network."))
        return redirect("network", hub=request.hub.slug)
    try:
        answer = signing.call(peer_obj, "POST", f"offers/{offer}/accept/", {})
        taken = offers.took_from_peer(peer_obj, answer)
    except (signing.PeerError, KeyError, TypeError, ValueError):
        messages.error(request, _("%(hub)s did not give this offer: it may be taken already.") % {"hub": peer_obj.name})
    else:
        messages.success(request, _("%(n)s beds from %(hub)s are on tonight's board.")
                         % {"n": taken.beds, "hub": peer_obj.name})
    return redirect("network", hub=request.hub.slug)


@hub_role_required(*STAFF)
@require_POST
def withdraw(request: HubRequest, offer):
    """Withdraw an offer nobody took yet."""
    try:
        offers.withdraw(offer, request.hub)
    except offers.Refused as refused:
        messages.error(request, str(refused))
    return redirect("network", hub=request.hub.slug)
