"""Text people type, without the invisible characters that change how other text is shown.

A name with a right-to-left override (U+202E) reads backwards in the vetting queue and can
pass for someone else; zero-width characters make two names look alike and hide text from a
search. Every control and format character (Unicode categories Cc and Cf: bidi overrides and
isolates, right-to-left marks, zero-width spaces and joiners, soft hyphens) is removed, and
line or paragraph separators become spaces. A note typed in a text area keeps its line breaks.

``PlainTextField`` does it in the forms (so the length checked is the length kept); the
``pre_save`` hook below does it once more for every text column of the platform, whatever
wrote it (a form, the admin, a command).
"""
from __future__ import annotations

import unicodedata

from django import forms
from django.db import models

DROPPED = {"Cc", "Cf"}
SPACES = {"Zl", "Zp"}


def plain(text: str, multiline: bool = False) -> str:
    """``text`` without control or format characters; line breaks kept only when ``multiline``."""
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept = []
    for ch in text:
        kind = unicodedata.category(ch)
        if ch == "\n" and multiline:
            kept.append(ch)
        elif ch == "\t" or kind in SPACES:
            kept.append(" ")
        elif kind not in DROPPED:
            kept.append(ch)
    return "".join(kept)


class PlainTextField(forms.CharField):
    """A form's text field that strips invisible characters before its length is checked."""

    def __init__(self, *args, multiline: bool = False, **kwargs):
        self.multiline = multiline
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return plain(value, self.multiline).strip() if value else value


def strip_on_save(sender, instance, raw=False, **kwargs) -> None:
    """Before any platform row is saved: plain text in every text column (a sealed value as
    stored, i.e. ciphertext, is left alone)."""
    if raw or not sender.__module__.startswith("nightstay."):
        return
    from .fields import Sealed

    for field in sender._meta.concrete_fields:
        if not isinstance(field, (models.CharField, models.TextField)) or field.choices:
            continue
        value = instance.__dict__.get(field.attname)
        if isinstance(value, str) and value and not isinstance(value, Sealed):
            cleaned = plain(value, multiline=isinstance(field, models.TextField))
            if cleaned != value:
                instance.__dict__[field.attname] = cleaned
