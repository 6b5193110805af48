"""A phone asks for messages by web push, or stops; and the service worker that shows them.

``subscribe`` and ``unsubscribe`` take what the page's script (``static/nightstay/push.js``)
posts: the browser's ``PushSubscription`` as JSON, from a logged-in volunteer, with the CSRF
token of the page's form. The endpoint must be one the site may POST to
(``push_endpoints.problem``: on a public host, a known push service's ``https`` address).
"""
from __future__ import annotations

import base64
import binascii
import json

from cryptography.hazmat.primitives.asymmetric import ec
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST


from . import push_endpoints, push_forget
from .push_models import PushSubscription

PHONES_PER_VOLUNTEER = 5  # the oldest goes when a sixth phone subscribes


class BadSubscription(ValueError):
    pass


def _b64url(value, size: int, what: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(str(value) + "=" * (-len(str(value)) % 4))
    except (binascii.Error, ValueError):
        raise BadSubscription(what) from None
    if len(raw) != size:
        raise BadSubscription(what)
    return raw


def parse(body: bytes) -> tuple[str, str, str]:
    """The endpoint, p256dh and auth of a posted ``PushSubscription.toJSON()``, checked."""
    try:
        data = json.loads(body)
        endpoint, keys = str(data["endpoint"]), data["keys"]
        p256dh, auth = str(keys["p256dh"]), str(keys["auth"])
    except (ValueError, KeyError, TypeError):
        raise BadSubscription("not a push subscription") from None
    if why := push_endpoints.problem(endpoint):
        raise BadSubscription(why)
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _b64url(p256dh, 65, "p256dh"))
    except ValueError:
        raise BadSubscription("p256dh is not a P-256 public key") from None
    _b64url(auth, 16, "auth")
    return endpoint, p256dh, auth


@login_required
@require_POST
def subscribe(request):
    """Keep this phone's subscription for the volunteer logged in on it."""
    try:
        endpoint, p256dh, auth = parse(request.body)
    except BadSubscription as exc:
        return JsonResponse({"error": _("This phone's browser gave a subscription we cannot use (%(what)s).")
                             % {"what": exc}}, status=400)
    push_forget.remember(request, PushSubscription.keep(request.user, endpoint, p256dh, auth))
    for old in PushSubscription.objects.filter(user=request.user).order_by("-created_at")[PHONES_PER_VOLUNTEER:]:
        old.delete()
    return JsonResponse({"ok": True}, status=201)


@login_required
@require_POST
def unsubscribe(request):
    """Forget this phone (only ever one of the volunteer's own)."""
    try:
        endpoint = str(json.loads(request.body)["endpoint"])
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": _("Which phone? The request named no endpoint.")}, status=400)
    PushSubscription.objects.filter(user=request.user, endpoint_index=PushSubscription.index(endpoint)).delete()
    return HttpResponse(status=204)


@require_GET
def service_worker(request):
    """Public, like any script of the site: it shows pushed messages and holds nobody's data."""
    response = render(request, "messaging/push_sw.js", content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response
