"""Every stored field says how sensitive it is and how long it is kept.

Each model of the platform declares ``data_labels = {field_name: Label(...)}``; a test
fails on any concrete field without one, so a new column cannot slip in unexamined.
``docs/what-we-hold.md`` is written from these labels.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Sensitivity(str, Enum):
    TECHNICAL = "technical"  # ids, timestamps, flags with no personal meaning
    OPERATIONAL = "operational"  # counts, capacities, hours: nothing about who
    PERSONAL = "personal"  # a volunteer's first name, a role: identifies within the network
    SEALED = "sealed"  # encrypted at rest: phones, e-mails, nicknames
    LOCATION = "location"  # a home address: sealed, audited on every reveal


class Retention(str, Enum):
    NIGHT = "night"  # purged 12 hours after the night's window ends
    STAY = "stay"  # until the stay ends (one tap) or its last night is over: no guest-to-host history
    ACCOUNT = "account"  # while the volunteer's account exists
    APPLICATION = "application"  # until vetted (blanked 30 days after the decision; deleted after 60 undecided)
    AUDIT = "audit"  # 90 days
    HUB = "hub"  # while the hub exists
    COUNTS = "counts"  # anonymous figures, kept


@dataclass(frozen=True)
class Label:
    sensitivity: Sensitivity
    retention: Retention
    why: str = ""


def label(sensitivity: str, retention: str, why: str = "") -> Label:
    return Label(Sensitivity(sensitivity), Retention(retention), why)


def unlabelled_fields(model) -> list[str]:
    labels = getattr(model, "data_labels", {})
    return [f.name for f in model._meta.concrete_fields if f.name not in labels]
