"""The laptop's outboxes on disk go with the night they told of.

Without an SMS gateway an SMS is a file under ``var/sms/`` (the number, then the text); with
Django's file mail backend an e-mail is a file under ``var/mail/``. Either can say who hosts
tonight ("Hello Anna, tonight's plan is out. 2 guests arriving around 22:40 with Dara", to her
number). A public host refuses both (``nightstay.E003``, ``nightstay.E010``), but a hub that
runs ``make run`` on a laptop for real would keep them for ever. So when a night is purged,
at noon or by a panic, every such file written before the night's end is overwritten with
zeros and deleted, as its rows are.
"""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from django.conf import settings

FILE_MAIL = "django.core.mail.backends.filebased.EmailBackend"


def folders() -> list[Path]:
    found = [Path(settings.SMS_FILE_PATH)]
    if settings.EMAIL_BACKEND == FILE_MAIL and getattr(settings, "EMAIL_FILE_PATH", None):
        found.append(Path(settings.EMAIL_FILE_PATH))
    return found


def clear(before: datetime | None = None) -> int:
    """Delete the SMS and e-mail files written before ``before`` (all of them when None); how many."""
    cut = before.timestamp() if before else None
    gone = 0
    for folder in folders():
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if not path.is_file() or (cut is not None and path.stat().st_mtime >= cut):
                continue
            with open(path, "r+b") as f:  # its bytes first: a deleted file's blocks stay on the disk
                f.write(b"\0" * path.stat().st_size)
                f.flush()
                os.fsync(f.fileno())
            path.unlink()
            gone += 1
    return gone


def clear_night(night) -> None:
    """The purge's hook: the files written before ``night`` ended (a panic purges it early: all)."""
    clear(before=night.end)
