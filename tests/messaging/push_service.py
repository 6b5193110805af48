"""A push service on this machine, as a browser vendor's would be, for the web push tests.

It hands out stand-in subscriptions for a "browser" whose keys it made (P-256 key pair and
16-byte auth secret, as a browser makes them), and on each POST to an endpoint it checks
what a real push service checks: the VAPID ``Authorization: vapid t=<JWT>,k=<key>`` header
(ES256 signature by that key, ``aud`` = this service's origin, ``exp`` within 24 hours,
``sub`` a contact) and then, as the browser would, decrypts the ``aes128gcm`` body with the
subscription's private key and auth secret (RFC 8291, through ``http_ece``). What it
received is kept in ``received`` (endpoint path, plaintext, headers in lower case). ``answer`` sets the
status an endpoint answers with (410 gone, 500 broken) instead of 201.
"""
from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Browser:
    """The keys one browser made for one subscription; the private half never leaves it."""

    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth_secret: bytes = field(default_factory=lambda: __import__("os").urandom(16))

    def keys(self) -> dict:
        point = self.private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                           serialization.PublicFormat.UncompressedPoint)
        return {"p256dh": b64url(point), "auth": b64url(self.auth_secret)}


@dataclass
class Received:
    path: str
    plaintext: bytes
    headers: dict
    claims: dict
    vapid_key: str

    def json(self) -> dict:
        return json.loads(self.plaintext)


def verify_vapid(header: str, origin: str) -> tuple[dict, str]:
    """The JWT claims and public key of a valid ``vapid t=..,k=..`` header; ``ValueError`` if not."""
    scheme, _, params = header.partition(" ")
    if scheme.lower() != "vapid":
        raise ValueError(f"scheme {scheme!r}")
    parts = dict(p.strip().split("=", 1) for p in params.split(","))
    token, key = parts["t"], parts["k"]
    head_b64, claims_b64, sig_b64 = token.split(".")
    if json.loads(unb64url(head_b64)).get("alg") != "ES256":
        raise ValueError("alg")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
    sig = unb64url(sig_b64)
    if len(sig) != 64:
        raise ValueError("signature length")
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    try:
        public.verify(der, f"{head_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise ValueError("signature") from None
    claims = json.loads(unb64url(claims_b64))
    if claims.get("aud") != origin:
        raise ValueError(f"aud {claims.get('aud')!r}")
    if not time.time() < claims.get("exp", 0) <= time.time() + 24 * 3600:
        raise ValueError("exp")
    if not str(claims.get("sub", "")).startswith(("mailto:", "https://")):
        raise ValueError("sub")
    return claims, key


class PushService:
    def __init__(self):
        self.browsers: dict[str, Browser] = {}
        self.answers: dict[str, int] = {}
        self.received: list[Received] = []
        self.refused: list[str] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = service.take(self.path, body, {k.lower(): v for k, v in self.headers.items()})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def subscription(self, name: str) -> dict:
        """A new browser's subscription (``PushSubscription.toJSON()``) at endpoint ``/push/<name>``."""
        browser = self.browsers[f"/push/{name}"] = Browser()
        return {"endpoint": f"{self.origin}/push/{name}", "expirationTime": None, "keys": browser.keys()}

    def answer(self, name: str, status: int) -> None:
        self.answers[f"/push/{name}"] = status

    def take(self, path: str, body: bytes, headers: dict) -> int:
        if path in self.answers:
            return self.answers[path]
        browser = self.browsers.get(path)
        if browser is None:
            return 404
        try:
            claims, key = verify_vapid(headers.get("authorization", ""), self.origin)
            if headers.get("content-encoding") != "aes128gcm" or "ttl" not in headers:
                raise ValueError("headers")
            plaintext = http_ece.decrypt(body, private_key=browser.private_key, auth_secret=browser.auth_secret,
                                         version="aes128gcm")
        except Exception as exc:  # noqa: BLE001 - a real service answers 400/401 to anything it cannot read
            self.refused.append(f"{path}: {exc!r}")
            return 401 if isinstance(exc, (ValueError, KeyError)) else 400
        self.received.append(Received(path, plaintext, headers, claims, key))
        return 201
