"""The ways a message reaches a volunteer, behind one small interface.

A channel says whether it can reach a volunteer for a message (``reaches``) and delivers it
(``deliver``), raising ``DeliveryError`` when it could not: ``retry=True`` when trying again
later may work (a server down), ``False`` when it will not (no such subscription any more).
``route`` lists the channels to try for one message, the volunteer's preferred one first,
then the others from cheapest to dearest (``settings.MESSAGE_CHANNELS``). Each channel module
registers itself in ``CHANNELS`` when imported: ``settings.MESSAGE_CHANNELS`` names them.
"""
from __future__ import annotations

from importlib import import_module
from typing import Protocol

from django.conf import settings


class DeliveryError(Exception):
    def __init__(self, reason: str, retry: bool = True):
        super().__init__(reason)
        self.reason = reason[:80]
        self.retry = retry


class Channel(Protocol):
    name: str

    def reaches(self, message) -> bool:
        """Whether this channel can carry ``message`` to its recipient now."""

    def deliver(self, message, subject: str, body: str) -> None:
        """Send it; raise ``DeliveryError`` when it did not leave."""


CHANNELS: dict[str, Channel] = {}


def register(channel: Channel) -> Channel:
    CHANNELS[channel.name] = channel
    return channel


def load() -> dict[str, Channel]:
    """The channels ``settings.MESSAGE_CHANNELS`` names, cheapest first."""
    for name in settings.MESSAGE_CHANNELS:
        if name not in CHANNELS:
            import_module(f"{__name__}.{name}")
    return {name: CHANNELS[name] for name in settings.MESSAGE_CHANNELS}


def route(message, prefers: str = "") -> list[Channel]:
    """The channels to try for ``message``, in order: the recipient's preference, then the cheapest."""
    channels = load()
    order = ([prefers] if prefers in channels else []) + [n for n in channels if n != prefers]
    return [channels[name] for name in order if channels[name].reaches(message)]
