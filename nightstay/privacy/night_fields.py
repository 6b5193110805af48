"""``NightSealedJSONField``: a JSON column of a night's row, sealed under the key of that night.

In Python the attribute reads and writes plain JSON values; the database (and so ``pg_wal``,
dumps and backups) holds only the JSON string ``nk1:<night>:<key fingerprint>:<nonce+ciphertext>``,
AES-256-GCM bound to the table, column and row, under the key of the row's night
(``night_keys``). The panic and the night's purge destroy that key: every copy of the value,
wherever it was written, no longer opens.

The row must have a ``night`` foreign key (the night the key belongs to) and a UUID primary
key (the binding is known before the first save). ``QuerySet.update()`` does not pass through
the row: write ``seal_for(row, field, value)`` there; a plain value is refused, never stored in
clear. ``forgettable=True`` (what a page last showed, to say what changed) reads as ``None`` when
its key is gone, rather than stopping the page; otherwise ``NightKeyLost`` is raised.
"""
from __future__ import annotations

import base64
import json
import logging
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import models

from . import night_keys
from .fields import binding

PREFIX = "nk1"
log = logging.getLogger(__name__)


class NightSealed(str):
    """A value as stored: ciphertext under a key of the night."""

    def __repr__(self):
        return "<sealed for the night>"


def seal_for(instance, field_name: str, value) -> NightSealed | None:
    """``value`` sealed for ``instance.field_name`` under the key of ``instance``'s night."""
    if value is None:
        return None
    kid, key = night_keys.key_of(instance.night_id, create=True)
    nonce = os.urandom(12)
    ct = AESGCM(key).encrypt(nonce, json.dumps(value).encode(), binding(instance, field_name).encode())
    night = str(instance.night_id).replace("-", "")
    return NightSealed(f"{PREFIX}:{night}:{kid}:{base64.urlsafe_b64encode(nonce + ct).decode()}")


def open_for(instance, field_name: str, token: str):
    """The JSON value of ``token``; ``NightKeyLost`` when its night's key is gone."""
    try:
        prefix, night, kid, b64 = token.split(":", 3)
        blob = base64.urlsafe_b64decode(b64.encode())
    except ValueError:
        raise night_keys.NightKeyLost("not a value sealed for a night") from None
    have, key = night_keys.key_of(night)
    if prefix != PREFIX or have != kid:
        raise night_keys.NightKeyLost(f"the key of night {night} that sealed this value is gone")
    plain = AESGCM(key).decrypt(blob[:12], blob[12:], binding(instance, field_name).encode())
    return json.loads(plain)


def is_sealed(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX + ":")


class NightSealedDescriptor:
    def __init__(self, field: "NightSealedJSONField"):
        self.field = field

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.__dict__.get(self.field.attname)
        if isinstance(value, NightSealed):
            try:
                value = open_for(instance, self.field.name, value)
            except night_keys.NightKeyLost:
                if not self.field.forgettable:
                    raise
                log.warning("%s.%s of a night whose key is gone reads as empty", instance._meta.label, self.field.name)
                value = None
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


class NightSealedJSONField(models.JSONField):
    def __init__(self, *args, forgettable: bool = False, **kwargs):
        self.forgettable = forgettable
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.forgettable:
            kwargs["forgettable"] = True
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        setattr(cls, self.attname, NightSealedDescriptor(self))

    def from_db_value(self, value, expression, connection):
        value = super().from_db_value(value, expression, connection)
        return NightSealed(value) if is_sealed(value) else value

    def pre_save(self, model_instance, add):
        value = model_instance.__dict__.get(self.attname)
        if value is None or isinstance(value, NightSealed):
            return value
        return seal_for(model_instance, self.name, value)

    def get_prep_value(self, value):
        if value is not None and not isinstance(value, NightSealed) and not hasattr(value, "resolve_expression"):
            raise ValueError(f"{self.model._meta.label}.{self.name} stores only values sealed for the night: "
                             "use nightstay.privacy.night_fields.seal_for()")
        return super().get_prep_value(value)
