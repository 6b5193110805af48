"""The SMS gateway's webhook: replies by SMS ("1 4821"), and how far our SMS went.

The gateway phone posts each event, signed: ``X-Signature`` is the hex HMAC-SHA256 of the
raw body followed by ``X-Timestamp`` (Unix seconds), keyed with the signing key set in the
app (``SMS_WEBHOOK_SECRET``). A request without a good, fresh signature gets 403 and changes
nothing; with no secret configured every request is refused.

Everything else answers 200, even what changes nothing (an unknown code, a text that is not a
reply, an event delivered twice, a reply after the night): the gateway retries any other
answer for hours. An event is taken once, by its id. Logs say what became of an event in a
word: never the text of a reply, nor the number it came from.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from nightstay.accounts.throttle import keyed

from . import replies
from .channels import sms

log = logging.getLogger(__name__)

FRESH_SECONDS = 300  # a signed request older than this is a replay
SEEN_SECONDS = 3 * 24 * 3600  # how long an event's id is remembered (the gateway gives up sooner)
STATUS_EVENTS = {"sms:sent": "sent", "sms:delivered": "delivered", "sms:failed": "failed"}


def signed(body: bytes, signature: str, timestamp: str, now: float | None = None) -> bool:
    """Whether the gateway signed ``body`` at ``timestamp``, in the last few minutes."""
    secret = settings.SMS_WEBHOOK_SECRET
    if not secret or not signature or not timestamp.isdigit():
        return False
    if abs((now or time.time()) - int(timestamp)) > FRESH_SECONDS:
        return False
    expected = hmac.new(secret.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.strip().lower())


@csrf_exempt  # the gateway has no session: the signature is its key
@require_POST
def webhook(request: HttpRequest):
    if not signed(request.body, request.headers.get("X-Signature", ""), request.headers.get("X-Timestamp", "")):
        log.warning("sms webhook refused: bad or stale signature")
        return HttpResponseForbidden()
    try:
        event = json.loads(request.body)
        kind, payload = event["event"], event["payload"]
        event_id = str(event.get("id") or f"{kind}:{payload['messageId']}")
    except (ValueError, KeyError, TypeError):
        log.info("sms webhook: unreadable event")
        return HttpResponse("unreadable")
    seen = f"sms-webhook:{keyed(event_id)}"
    if not cache.add(seen, 1, timeout=SEEN_SECONDS):
        log.info("sms webhook: %s delivered twice, taken once", kind)
        return HttpResponse("duplicate")
    try:
        outcome = handle(kind, payload)
    except Exception:
        cache.delete(seen)  # not taken: the gateway's retry may be
        raise
    log.info("sms webhook: %s %s", kind, outcome)
    return HttpResponse(outcome)


def handle(kind: str, payload: dict) -> str:
    """What became of one event, in a word."""
    if kind == "sms:received":
        text, sender = payload.get("message"), payload.get("phoneNumber") or payload.get("sender")
        if not isinstance(text, str) or not isinstance(sender, str):
            return "unreadable"
        return replies.answer_by_code(text, "sms", sender)
    if kind in STATUS_EVENTS and isinstance(payload.get("messageId"), str):
        return sms.record_state(payload["messageId"], STATUS_EVENTS[kind])
    return "ignored"
