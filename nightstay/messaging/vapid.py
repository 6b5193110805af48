"""The site's VAPID key (RFC 8292): what signs every web push, so push services know it is us.

A phone's subscription is bound to the public key it was made with: change the key and every
phone must subscribe again. So the key is kept, not made per start: ``VAPID_PRIVATE_KEY`` in
the environment (production), else a key file written once at first need (``var/vapid-key``
on a laptop, beside the field keys), so a fresh ``make run`` pushes with no configuration.
The public key (what a page hands to ``PushManager.subscribe``) is derived from it.
"""
from __future__ import annotations

import base64
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def new_private_key() -> str:
    """A new P-256 private key as VAPID_PRIVATE_KEY holds it: the raw 32 bytes, base64url."""
    key = ec.generate_private_key(ec.SECP256R1())
    return b64url(key.private_numbers().private_value.to_bytes(32, "big"))


def _read_or_write(path: Path) -> str:
    """The key in ``path``, written there first if missing (atomically: two processes starting
    at once, the web server and the worker, end with the same key)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".vapid-")
        try:
            os.write(fd, (new_private_key() + "\n").encode())
            os.close(fd)
            os.chmod(tmp, 0o600)
            try:
                os.link(tmp, path)  # fails if another process wrote it meanwhile: keep theirs
            except FileExistsError:
                pass
        finally:
            os.unlink(tmp)
    return path.read_text().strip()


def private_key_text() -> str:
    from django.conf import settings

    return settings.VAPID_PRIVATE_KEY.strip() or _read_or_write(Path(settings.VAPID_KEY_FILE))


@lru_cache(maxsize=4)
def _vapid(text: str) -> Vapid:
    return Vapid.from_string(text)


def signer() -> Vapid:
    """The key pywebpush signs with."""
    return _vapid(private_key_text())


def public_key() -> str:
    """The public key, base64url of the uncompressed point: the page's ``applicationServerKey``."""
    point = signer().public_key.public_bytes(serialization.Encoding.X962,
                                            serialization.PublicFormat.UncompressedPoint)
    return b64url(point)
