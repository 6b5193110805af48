"""Web push to the volunteer's phone(s): free, and read at once when the phone is on.

Each phone that tapped "Get messages on this phone" left a ``PushSubscription``: an endpoint
of its browser's push service and the keys the payload is encrypted to (RFC 8291, done by
pywebpush). Each push is signed with the site's VAPID key (``messaging.vapid``). The payload
is small JSON the service worker (``templates/messaging/push_sw.js``) shows as a notification:
the subject, the body's first words without its links, and the one link, which a tap opens.
It holds nothing the message does not (never an address, a nickname or a ticket list).

A push service answering 404 or 410 says the subscription is gone (the phone unsubscribed,
the browser was wiped): its row is deleted and the message goes on to the next channel. A
5xx, a 429 or no answer at all is worth a retry. The message counts as delivered when one of
the volunteer's phones took it.
"""
from __future__ import annotations

import json
import logging
import re

import requests
from django.conf import settings
from django.utils import timezone
from pywebpush import WebPushException, webpush

from .. import push_endpoints, vapid
from ..models import PushSubscription
from . import DeliveryError, register

log = logging.getLogger(__name__)

MAX_PAYLOAD = 3000  # bytes of JSON; push services take about 4 KB once encrypted
BODY_CHARS = 200
TTL = 12 * 3600  # a phone that is off tonight gets it when back on, but not tomorrow
TIMEOUT = 10  # seconds to wait for a push service
URL = re.compile(r"https?://\S+")
GONE = {404, 410}


def payload(message, subject: str, body: str) -> bytes:
    """What the notification shows: title, a short body without links, the link a tap opens."""
    root = settings.SITE_ROOT.rstrip("/")
    links = URL.findall(body)
    link = next((u for u in links if u.startswith(root + "/")), root + "/")
    words = " ".join(line.strip() for line in URL.sub("", body).splitlines() if line.strip())
    short = words if len(words) <= BODY_CHARS else words[:BODY_CHARS - 1].rstrip() + "…"
    data = {"title": subject[:120], "body": short, "url": link, "tag": str(message.pk)}
    encoded = json.dumps(data, ensure_ascii=False).encode()
    while len(encoded) > MAX_PAYLOAD and data["body"]:  # only a body of long words could get here
        data["body"] = data["body"][: len(data["body"]) // 2]
        encoded = json.dumps(data, ensure_ascii=False).encode()
    return encoded


class PushChannel:
    name = "push"

    def reaches(self, message) -> bool:
        return PushSubscription.objects.filter(user_id=message.recipient_id).exists()

    def deliver(self, message, subject: str, body: str) -> None:
        data = payload(message, subject, body)
        subscriptions = list(PushSubscription.objects.filter(user_id=message.recipient_id))
        delivered, retry, reasons = False, False, []
        for subscription in subscriptions:
            try:
                self.send(subscription, data, message.urgent)
            except DeliveryError as exc:
                retry |= exc.retry
                reasons.append(exc.reason)
                continue
            delivered = True
        if not delivered:
            raise DeliveryError(", ".join(dict.fromkeys(reasons)) or "no subscription", retry=retry)

    def send(self, subscription: PushSubscription, data: bytes, urgent: bool = True) -> None:
        """One push to one phone; a gone subscription deleted, ``DeliveryError`` when not taken."""
        if push_endpoints.problem(subscription.endpoint):  # stored before the rules, or the site went public
            subscription.delete()
            log.warning("push subscription %s refused: not a push service's address; deleted", subscription.pk)
            raise DeliveryError("endpoint refused", retry=False)
        try:
            webpush(subscription.info(), data, vapid_private_key=vapid.signer(),
                    vapid_claims={"sub": settings.VAPID_SUBJECT}, ttl=TTL, timeout=TIMEOUT,
                    headers={"Urgency": "high" if urgent else "normal"})  # RFC 8030: wake the phone for tonight
        except WebPushException as exc:
            status = exc.response.status_code if exc.response is not None else None
            if status in GONE:
                subscription.delete()
                log.info("push subscription %s gone (%s): deleted", subscription.pk, status)
                raise DeliveryError(f"HTTP {status}", retry=False) from None
            # 413 (too big) or 400 (bad request) will not get better by waiting; the rest may.
            raise DeliveryError(f"HTTP {status}" if status else "WebPushException",
                                retry=status is None or status >= 429 or status == 408) from None
        except (requests.RequestException, OSError) as exc:  # no answer: the service or the line is down
            raise DeliveryError(type(exc).__name__) from None
        PushSubscription.objects.filter(pk=subscription.pk).update(last_ok_at=timezone.now())


register(PushChannel())
