"""Answers to a message that asks yes or no: by one tap on its link, or by an SMS reply.

The app that asks (pledges asks hosts "still on tonight?") registers what a yes and a no do
with ``on_answer(template)``; an answer is taken once, only while its night is not over,
and is matched by the message's token or by its reply code, never by who sent it (a
volunteer may answer from another phone). Refused answers change nothing and say why in one
word, which is all that is logged: never the text of a reply.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from .models import Message, token_hash

log = logging.getLogger(__name__)

HANDLERS: dict[str, Callable[[Message, bool], None]] = {}
OPEN = (Message.State.QUEUED, Message.State.SENT)


def on_answer(template: str):
    """Register ``handler(message, yes)`` for the answers to messages made from ``template``."""
    def register(handler):
        HANDLERS[template] = handler
        return handler
    return register


def by_token(token: str) -> Message | None:
    return Message.objects.select_related("night", "recipient").filter(token_hash=token_hash(token)).first()


def answer(message: Message, yes: bool, via: str) -> str:
    """Take ``message``'s answer once: "taken", or why not ("answered", "over", "unknown")."""
    with transaction.atomic():
        message = Message.objects.select_for_update().select_related("night", "recipient").get(pk=message.pk)
        if message.answer:
            return "answered"
        night = message.night
        if night.status == night.Status.CLOSED or night.is_over() or night.purged_at:
            return "over"
        handler = HANDLERS.get(message.template)
        if handler is None:
            return "unknown"
        handler(message, yes)
        Message.objects.filter(pk=message.pk).update(answer="yes" if yes else "no", state=Message.State.ANSWERED,
                                                     answered_at=timezone.now())
    log.info("answer taken by %s for a %s message", via, message.template)
    night.changed()
    return "taken"


REPLY = re.compile(r"^\s*([12])\D+(\d{4,8})\s*$|^\s*(\d{4,8})\D+([12])\s*$")


def parse_reply(text: str) -> tuple[bool, str] | None:
    """``"1 4821"`` (or ``"4821 1"``) as (yes, code); None when it is not a reply."""
    found = REPLY.match(text or "")
    if not found:
        return None
    choice, code = (found.group(1), found.group(2)) if found.group(1) else (found.group(4), found.group(3))
    return choice == "1", code


def answer_by_code(text: str, via: str) -> str:
    """An SMS reply, matched by its code among the questions still open: what became of it."""
    parsed = parse_reply(text)
    if parsed is None:
        log.info("reply by %s refused: not a reply", via)
        return "unreadable"
    yes, code = parsed
    message = Message.objects.filter(reply_code=code, state__in=OPEN).order_by("-created_at").first()
    if message is None:
        log.info("reply by %s refused: unknown code", via)
        return "unknown"
    outcome = answer(message, yes, via)
    if outcome != "taken":
        log.info("reply by %s refused: %s", via, outcome)
    return outcome
