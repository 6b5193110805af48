"""Signed requests between installations: HMAC-SHA256 with a key per pair of hubs.

A request carries five headers: ``X-Nightstay-Hub`` (the sending hub's slug), ``-Key``
(which key of the pair's ring signed), ``-Timestamp`` (Unix seconds), ``-Nonce`` (random,
never used twice) and ``-Signature``: the hex HMAC-SHA256, under that key, of
``METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nSHA256(BODY)``. The receiver refuses a request that is
unsigned, from a hub it does not know, signed with a key not in the ring, changed on the way
(the signature no longer matches), older or newer than ``MAX_AGE`` or whose nonce it has
seen (kept in the shared cache, so every worker of a server sees it). The first key of the
ring signs, every key verifies: rotating is putting a new key first on both sides, then
dropping the old one.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request

from django.core.cache import cache
from django.http import HttpRequest

from nightstay.hubs.models import Hub

from .models import Peer

MAX_AGE = 300  # seconds either way
HEADERS = ("Hub", "Key", "Timestamp", "Nonce", "Signature")


class Unsigned(Exception):
    """A request refused: the message is the one line the API answers with."""


class PeerError(Exception):
    """The other installation could not be reached or refused us."""


def message(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    return "\n".join((method.upper(), path, timestamp, nonce, hashlib.sha256(body).hexdigest())).encode()


def sign(key: bytes, method: str, path: str, body: bytes, *, kid: str, hub: str, now: float | None = None,
         nonce: str | None = None) -> dict[str, str]:
    """The headers that sign a request."""
    timestamp, nonce = str(int(now if now is not None else time.time())), nonce or secrets.token_hex(16)
    mac = hmac.new(key, message(method, path, timestamp, nonce, body), hashlib.sha256).hexdigest()
    return {"X-Nightstay-Hub": hub, "X-Nightstay-Key": kid, "X-Nightstay-Timestamp": timestamp,
            "X-Nightstay-Nonce": nonce, "X-Nightstay-Signature": mac}


def verify(request: HttpRequest, hub: Hub) -> Peer:
    """The peer that signed ``request`` to ``hub``, or ``Unsigned`` saying why not."""
    given = {h: request.headers.get(f"X-Nightstay-{h}", "") for h in HEADERS}
    if not all(given.values()):
        raise Unsigned("unsigned request")
    peer = Peer.objects.filter(hub=hub, remote_slug=given["Hub"]).first()
    key = peer.ring().get(given["Key"]) if peer is not None else None
    if key is None:
        raise Unsigned("unknown hub or key")
    try:
        age = abs(time.time() - int(given["Timestamp"]))
    except ValueError:
        raise Unsigned("bad timestamp") from None
    if age > MAX_AGE:
        raise Unsigned("request too old")
    expected = hmac.new(key, message(request.method, request.path, given["Timestamp"], given["Nonce"], request.body),
                        hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, given["Signature"]):
        raise Unsigned("bad signature")
    if len(given["Nonce"]) > 64 or not cache.add(f"network:nonce:{peer.pk}:{given['Nonce']}", 1, MAX_AGE * 2 + 60):
        raise Unsigned("replayed request")
    return peer


def call(peer: Peer, method: str, path: str, payload: dict | None = None, timeout: float = 5.0):
    """A signed request to ``peer``'s installation; its JSON answer, or ``PeerError``."""
    body = json.dumps(payload).encode() if payload is not None else b""
    kid, key = peer.ring().current
    path = f"/network/api/{peer.remote_slug}/{path}"
    headers = sign(key, method, path, body, kid=kid, hub=peer.hub.slug)
    headers["Content-Type"] = "application/json"
    req = urllib.request.Request(peer.url.rstrip("/") + path, data=body or None, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as answer:  # noqa: S310 (an https or http URL we set)
            return json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        raise PeerError(f"{peer.name} answered {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, ValueError, OSError):
        raise PeerError(f"{peer.name} cannot be reached") from None
