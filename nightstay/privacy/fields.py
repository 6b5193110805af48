"""``SealedField``: a text column that holds only ciphertext.

In Python the attribute reads and writes plaintext; in the database (and any dump or
backup) only ``ns1:<key id>:<nonce+ciphertext>`` is stored, bound to the row's primary key,
so models with sealed fields use UUID primary keys (known before the first save).

``audited=True`` (hosts' street addresses) goes further: reading the attribute gives a
``Sealed`` placeholder, never the address. The only way to the plaintext is
``nightstay.privacy.reveal.reveal()``, which writes an audit row and is rate-limited.
"""
from __future__ import annotations

import uuid

from django.core import checks
from django.db import models

from . import crypto


class Sealed(str):
    """A value as stored: ciphertext. ``str()`` of it never shows plaintext."""

    def __repr__(self):
        return "<sealed>"


def binding(instance, field_name: str) -> str:
    return f"{instance._meta.label_lower}.{field_name}:{instance.pk}"


class SealedDescriptor:
    def __init__(self, field: "SealedField"):
        self.field = field

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.__dict__.get(self.field.attname, "")
        if isinstance(value, Sealed) and value and not self.field.audited:
            value = crypto.open_sealed(value, binding(instance, self.field.name))
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = "" if value is None else value


class SealedField(models.TextField):
    def __init__(self, *args, audited: bool = False, **kwargs):
        self.audited = audited
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.audited:
            kwargs["audited"] = True
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        setattr(cls, self.attname, SealedDescriptor(self))

    def from_db_value(self, value, expression, connection):
        return Sealed(value) if value else ""

    def pre_save(self, model_instance, add):
        value = model_instance.__dict__.get(self.attname, "")
        if not value or isinstance(value, Sealed):
            return value
        return crypto.seal(str(value), binding(model_instance, self.name))

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        pk = self.model._meta.pk
        if not (isinstance(pk, models.UUIDField) and pk.default is uuid.uuid4):
            errors.append(checks.Error(
                f"{self.model._meta.label} has a SealedField: its primary key must be a UUIDField(default=uuid.uuid4)",
                obj=self, id="privacy.E001"))
        return errors


def reseal(instance, field_name: str) -> bool:
    """Re-encrypt one stored value with the current key; True when it changed (key rotation)."""
    field = instance._meta.get_field(field_name)
    stored = instance.__dict__.get(field.attname, "")
    if not isinstance(stored, Sealed) or not stored:
        return False
    ring = crypto.keyring()
    if crypto.sealed_with(stored) == ring.current[0]:
        return False
    plain = crypto.open_sealed(stored, binding(instance, field_name), ring)
    instance.__dict__[field.attname] = Sealed(crypto.seal(plain, binding(instance, field_name), ring))
    return True


def unseal(instance, field_name: str) -> str:
    """Plaintext of an audited field, for ``reveal`` only."""
    field = instance._meta.get_field(field_name)
    stored = instance.__dict__.get(field.attname, "")
    if isinstance(stored, Sealed) and stored:
        return crypto.open_sealed(stored, binding(instance, field_name))
    return stored
