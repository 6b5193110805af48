"""A key of the night, kept outside the database, that a panic or the night's purge destroys.

Deleting a row does not remove it from PostgreSQL's write-ahead log (``pg_wal``), from its
archives, or from the file system's freed blocks (``privacy.scrub`` clears what the database
lets it clear). What the night's rows hold of most use to a raid (which ticket went to which
home, the plans, what each run sheet showed) is therefore sealed under a key of that night
(``NightSealedJSONField``): once the key is gone, every copy anywhere is ciphertext.

Where the key lives, and why there:

- one small file per night in ``NIGHT_KEY_DIR`` (``var/night-keys``), never in the database,
  so never in ``pg_wal`` nor in a dump or backup of it;
- the key in the file is itself sealed under the field keys (``privacy.crypto``): a copy of
  the disk, or of ``var/``, without them opens nothing;
- the panic and the purge overwrite the file with random bytes, flush it to disk, then
  unlink it. On an ordinary file system (ext4, xfs) the overwrite lands on the same blocks;
  on a copy-on-write file system or behind an SSD's wear levelling the old blocks may
  survive physically, still sealed under the field keys (``docs/threat-model.md``).

Why not Redis or the cache: the cache may be evicted or restarted during the night (and in
development it is a table of the database itself, in ``pg_wal`` again). Why not memory only:
the site's processes and the planning worker must share the key, and a restart would lose it.

A key lost during the night (the file deleted by hand, a disk swapped) is never silently
replaced under values it sealed: each sealed value names its key (a short fingerprint), and
opening one whose key is gone raises ``NightKeyLost``. Sealing afterwards makes a new key;
what the old one sealed stays unreadable (``planning.runs.proposal`` marks such plans failed:
the board says so and "Plan" makes a new one from the night's rows, which are not sealed).
"""
from __future__ import annotations

import base64
import hashlib
import os
import secrets
from pathlib import Path

from django.conf import settings

from . import crypto


class NightKeyLost(Exception):
    """A value sealed under a key of the night that no longer exists (panic, purge, or lost)."""


def _dir() -> Path:
    return Path(settings.NIGHT_KEY_DIR)


def _path(night_id) -> Path:
    return _dir() / f"{str(night_id).replace('-', '')}.key"


def _binding(night_id) -> str:
    return f"night-key:{str(night_id).replace('-', '')}"


def fingerprint(key: bytes) -> str:
    return hashlib.sha256(b"nightstay night key\0" + key).hexdigest()[:12]


def _read(night_id) -> bytes | None:
    try:
        text = _path(night_id).read_text()
    except FileNotFoundError:
        return None
    try:
        return base64.urlsafe_b64decode(crypto.open_sealed(text.strip(), _binding(night_id)))
    except crypto.DecryptionError:
        return None  # overwritten, or sealed under field keys we no longer have: as good as gone


def key_of(night_id, create: bool = False) -> tuple[str, bytes]:
    """(fingerprint, key) of the night; a new key when ``create`` and there is none yet.

    Two processes creating it at once: each writes a file of its own, then links it to the
    night's name, which only one link can take; the other reads the winner's key."""
    key = _read(night_id)
    if key is None:
        if not create:
            raise NightKeyLost(f"night {night_id} has no key: it was purged, panicked, or its key file is gone")
        _dir().mkdir(parents=True, exist_ok=True)
        fresh = secrets.token_bytes(32)
        tmp = _dir() / f".{secrets.token_hex(8)}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, crypto.seal(base64.urlsafe_b64encode(fresh).decode(), _binding(night_id)).encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, _path(night_id))
        except FileExistsError:
            pass  # another process made it first
        finally:
            tmp.unlink()
        key = _read(night_id)
        if key is None:
            raise NightKeyLost(f"the key of night {night_id} could not be written in {_dir()}")
    return fingerprint(key), key


def reseal_all() -> int:
    """Re-seal every night's key file under the current field key (``rotate_field_keys``): once
    the old field key is dropped, a file sealed under it would read as a lost key."""
    ring, count = crypto.keyring(), 0
    for path in sorted(_dir().glob("*.key")) if _dir().exists() else []:
        night_id = path.stem
        text = path.read_text().strip()
        if crypto.sealed_with(text) == ring.current[0]:
            continue
        plain = crypto.open_sealed(text, _binding(night_id), ring)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, crypto.seal(plain, _binding(night_id), ring).encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        count += 1
    return count


def destroy(night_id) -> bool:
    """Overwrite the night's key file with random bytes, flush, unlink; True when there was one."""
    path = _path(night_id)
    try:
        fd = os.open(path, os.O_WRONLY)
    except FileNotFoundError:
        return False
    try:
        size = os.fstat(fd).st_size
        os.write(fd, secrets.token_bytes(max(size, 1)))
        os.fsync(fd)
    finally:
        os.close(fd)
    path.unlink(missing_ok=True)
    dir_fd = os.open(_dir(), os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # the unlink itself reaches the disk
    finally:
        os.close(dir_fd)
    return True
