"""The API other installations call: a hub's counts and offers, and taking an offer.

Every call but the OpenAPI document must be signed by a peer of the hub named in the URL
(``signing.verify``); anything else gets 401 and one line saying why, the same for a hub
that does not exist, so the API tells an outsider nothing. The answers hold counts, the
offer and the offering hub's public meeting point: no guest, no host, no address.
"""
from __future__ import annotations

from pathlib import Path

from django.http import FileResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from nightstay.hubs.models import Hub

from . import offers, signing

OPENAPI = Path(__file__).with_name("openapi.json")


def _signed(view):
    """Loads the hub and the peer that signed; 401 for anything unsigned, unknown or stale."""
    def wrapper(request, hub: str, *args, **kwargs):
        hub_obj = Hub.objects.filter(slug=hub).first()
        try:
            if hub_obj is None:
                raise signing.Unsigned("unknown hub or key")
            peer = signing.verify(request, hub_obj)
        except signing.Unsigned as refused:
            return JsonResponse({"error": str(refused)}, status=403)
        return view(request, peer, *args, **kwargs)

    wrapper.__name__, wrapper.__doc__ = view.__name__, view.__doc__
    return csrf_exempt(wrapper)


@require_GET
def openapi(request):
    """Anyone: the API's description for other tools."""
    return FileResponse(OPENAPI.open("rb"), content_type="application/json")


@_signed
@require_GET
def counts(request, peer):
    """A signed peer: tonight's counts of the hub it works with."""
    return JsonResponse(offers.counts(peer.hub))


@_signed
@require_GET
def offer_list(request, peer):
    """A signed peer: the hub's offers tonight that it may take."""
    return JsonResponse({"offers": [offers.as_json(o) for o in offers.open_to_peer(peer).select_related("night__hub")]})


@_signed
@require_POST
def accept(request, peer, offer):
    """A signed peer takes an offer: it answers with the offer, now accepted, or 409."""
    try:
        taken = offers.accept_for_peer(offer, peer)
    except offers.Refused as refused:
        return JsonResponse({"error": str(refused)}, status=409)
    return JsonResponse(offers.as_json(taken))
