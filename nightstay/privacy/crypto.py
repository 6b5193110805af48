"""Per-field encryption with keys that live outside the database and its backups.

A seized database or backup must yield no host address, phone, e-mail or guest nickname.
Values are sealed with AES-256-GCM; the associated data binds each ciphertext to its table,
column and row, so a ciphertext copied onto another row does not decrypt. Keys come from
``NIGHTSTAY_FIELD_KEYS`` (``id:base64key,...``, the first one seals) or from a key file of
the same form, one key a line (``make run`` writes ``var/field-keys``). Rotation: put a new
key first, run ``manage.py rotate_field_keys``, then drop the old key.

Lookups on sealed values (log in by e-mail) go through ``blind_index``: an HMAC keyed by a
key derived from the field keys, so the database holds no e-mail in the clear.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "ns1"


class KeyError_(Exception):
    """Raised when the field keys are missing or malformed."""


class DecryptionError(Exception):
    """A sealed value that no known key opens (wrong key, or moved to another row)."""


@dataclass(frozen=True)
class KeyRing:
    keys: tuple[tuple[str, bytes], ...]  # (id, 32-byte key); the first one seals

    @classmethod
    def parse(cls, text: str) -> "KeyRing":
        keys = []
        for line in text.replace(",", "\n").splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            kid, sep, b64 = line.partition(":")
            if not sep or not kid.isalnum():
                raise KeyError_("each field key must be written id:base64key")
            try:
                raw = base64.urlsafe_b64decode(b64.encode())
            except ValueError:
                raise KeyError_(f"field key {kid!r} is not base64") from None
            if len(raw) != 32:
                raise KeyError_(f"field key {kid!r} must be 32 bytes")
            keys.append((kid, raw))
        if not keys:
            raise KeyError_("no field key configured")
        return cls(tuple(keys))

    @property
    def current(self) -> tuple[str, bytes]:
        return self.keys[0]

    def get(self, kid: str) -> bytes | None:
        return dict(self.keys).get(kid)

    def index_key(self) -> bytes:
        """The blind-index key: derived from the oldest key so rotation keeps lookups working."""
        return hashlib.sha256(b"nightstay blind index\0" + self.keys[-1][1]).digest()


def new_key_line(kid: str | None = None) -> str:
    kid = kid or "k" + secrets.token_hex(3)
    return f"{kid}:{base64.urlsafe_b64encode(os.urandom(32)).decode()}"


@lru_cache(maxsize=4)
def _ring_from(text: str) -> KeyRing:
    return KeyRing.parse(text)


def keyring() -> KeyRing:
    from django.conf import settings

    text = settings.FIELD_KEYS
    if not text:
        path = Path(settings.FIELD_KEY_FILE)
        if not path.exists():
            raise KeyError_(f"no field keys: set NIGHTSTAY_FIELD_KEYS or create {path} (manage.py demo_setup does)")
        text = path.read_text()
    return _ring_from(text)


def seal(plaintext: str, binding: str, ring: KeyRing | None = None) -> str:
    ring = ring or keyring()
    kid, key = ring.current
    nonce = os.urandom(12)
    ct = AESGCM(key).encrypt(nonce, plaintext.encode(), binding.encode())
    return f"{PREFIX}:{kid}:{base64.urlsafe_b64encode(nonce + ct).decode()}"


def open_sealed(token: str, binding: str, ring: KeyRing | None = None) -> str:
    ring = ring or keyring()
    try:
        prefix, kid, b64 = token.split(":", 2)
        blob = base64.urlsafe_b64decode(b64.encode())
    except ValueError:
        raise DecryptionError("not a sealed value") from None
    key = ring.get(kid)
    if prefix != PREFIX or key is None:
        raise DecryptionError(f"no key {kid!r} to open this value")
    try:
        return AESGCM(key).decrypt(blob[:12], blob[12:], binding.encode()).decode()
    except Exception:
        raise DecryptionError("value does not open with its key and row") from None


def sealed_with(token: str) -> str:
    """The id of the key that sealed ``token`` (for rotation)."""
    return token.split(":", 2)[1]


def blind_index(value: str, ring: KeyRing | None = None) -> str:
    ring = ring or keyring()
    return hmac.new(ring.index_key(), value.strip().lower().encode(), hashlib.sha256).hexdigest()
