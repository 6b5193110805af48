"""Answers to a message that asks yes or no: by one tap on its link, or by an SMS reply.

The app that asks (pledges asks hosts "still on tonight?") registers what a yes and a no do
with ``on_answer(template)``; an answer is taken once, only while its night is not over.

By link, the token (144 random bits) is the key. By SMS, a code of 4 digits is no key: it is
one of 9,000 and shared by every open question of the night, so anyone who can text the
gateway phone (every volunteer who ever got an SMS from it) could answer "2" to hundreds of
codes and call off the night's beds. So an SMS reply counts only from the number on the
account the question went to (the code then tells that person's questions apart), and a
number whose replies are refused ``REFUSED_PER_HOUR`` times in an hour is not heard for the
rest of the hour. Refused answers change nothing and say why in one word, which is all that
is logged: never the text of a reply, nor the number it came from.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from nightstay.accounts import throttle

from .models import Message, token_hash

log = logging.getLogger(__name__)

HANDLERS: dict[str, Callable[[Message, bool], None]] = {}
OPEN = (Message.State.QUEUED, Message.State.SENT)
REFUSED_PER_HOUR = 5  # refused SMS replies from one number before it is not heard for the hour


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


def same_number(a: str | None, b: str | None) -> bool:
    """Whether two phone numbers are one (``+32 470 11 22 33`` and ``0032470112233`` are)."""
    def digits(n):
        d = "".join(c for c in (n or "") if c.isdigit())
        return d[2:] if d.startswith("00") else d
    return bool(digits(a)) and len(digits(a)) >= 6 and digits(a) == digits(b)


def answer_by_code(text: str, via: str, sender: str) -> str:
    """An SMS reply from ``sender``, matched by its code among the questions still open to the
    account with that number: what became of it."""
    sender_key = throttle.keyed(f"reply-from:{''.join(c for c in sender if c.isdigit())}")
    if throttle.used("sms-reply-refused", sender_key) >= REFUSED_PER_HOUR:
        log.info("reply by %s refused: too many refused replies from its number", via)
        return "throttled"
    parsed = parse_reply(text)
    if parsed is None:
        log.info("reply by %s refused: not a reply", via)
        return "unreadable"
    yes, code = parsed
    candidates = Message.objects.filter(reply_code=code, state__in=OPEN).select_related("recipient")
    message = next((m for m in candidates.order_by("-created_at") if same_number(m.recipient.phone, sender)), None)
    if message is None:
        throttle.hit("sms-reply-refused", sender_key, 3600)
        log.info("reply by %s refused: unknown code for its number", via)
        return "unknown"
    outcome = answer(message, yes, via)
    if outcome != "taken":
        log.info("reply by %s refused: %s", via, outcome)
    return outcome
