"""SMS through a gateway the network owns: an Android phone running SMS Gateway for Android.

The phone runs the app's local server (``SMS_GATEWAY_URL``, basic auth with
``SMS_GATEWAY_LOGIN``/``SMS_GATEWAY_PASSWORD``); we talk to it with its Python client
(``android-sms-gateway``). Each SMS carries our message's id as its id on the gateway, so a
retry after a lost answer cannot send it twice (the gateway answers 409). Without a URL, an
SMS is written to a file under ``var/sms/`` (like ``var/mail/``), never to the terminal.

SMS costs money and wakes people up, so it is kept for what cannot wait: only urgent messages
(about tonight), only to a volunteer whose number was checked (``Contact.phone_checked`` holds
a keyed hash of the number that received the code), and only while the hub's SMS of the day
are under ``SMS_DAILY_CAP``. ``reaches`` reads the count; ``deliver`` takes a slot in one
conditional UPDATE, so two workers cannot both take the last one.

The gateway tells how far an SMS went by its webhook (``sms:sent``, ``sms:delivered``,
``sms:failed``: ``nightstay.messaging.sms_webhook``) or when asked (``poll``, the
``sms_status`` command). A failed SMS puts its message back in the queue, and its next try
goes by the next channel.
"""
from __future__ import annotations

import logging
import re
from datetime import timedelta

import httpx
from android_sms_gateway import APIClient, ProcessState, TextMessage
from android_sms_gateway import Message as GatewayMessage
from android_sms_gateway.errors import APIError
from android_sms_gateway.http import HttpxHttpClient
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from nightstay.accounts.throttle import keyed

from ..models import Contact, Message, SmsDay, SmsReceipt
from . import DeliveryError, register

log = logging.getLogger(__name__)

TIMEOUT = 10.0  # seconds: the gateway is a phone on a mobile network
STATES = {  # the gateway's states, as we keep them
    ProcessState.Pending: SmsReceipt.State.PENDING, ProcessState.Processed: SmsReceipt.State.PENDING,
    ProcessState.Sent: SmsReceipt.State.SENT, ProcessState.Delivered: SmsReceipt.State.DELIVERED,
    ProcessState.Failed: SmsReceipt.State.FAILED, ProcessState.Cancelled: SmsReceipt.State.FAILED,
}

ORDER = [SmsReceipt.State.PENDING, SmsReceipt.State.SENT, SmsReceipt.State.DELIVERED, SmsReceipt.State.FAILED]


def phone_key(phone: str) -> str:
    """What ``Contact.phone_checked`` holds for ``phone``: a keyed hash, not the number."""
    return keyed(f"phone:{phone}")


def has_checked_phone(user) -> bool:
    contact = Contact.objects.filter(user=user).first()
    return bool(contact and contact.phone_verified_at and user.phone
                and contact.phone_checked == phone_key(user.phone))


# -- the gateway ----------------------------------------------------------------------------

def send_text(phone: str, text: str, sms_id: str) -> str:
    """Hand ``text`` for ``phone`` (E.164) to the gateway as ``sms_id``; its state there.

    Raises ``DeliveryError``: ``retry=True`` when the phone could not be reached.
    """
    if not settings.SMS_GATEWAY_URL:
        return _write_file(phone, text, sms_id)
    message = GatewayMessage(phone_numbers=[phone], text_message=TextMessage(text=text), id=sms_id,
                             with_delivery_report=True)
    try:
        with httpx.Client(timeout=TIMEOUT) as session:
            state = _client(session).send(message)
    except httpx.HTTPError as exc:  # the phone off, out of coverage, its server stopped
        raise DeliveryError(type(exc).__name__) from None
    except APIError as exc:
        if exc.status_code == 409:  # it has this id already: an earlier try got there
            return SmsReceipt.State.PENDING
        raise DeliveryError(f"gateway {exc.status_code}", retry=(exc.status_code or 500) >= 500) from None
    except (ValueError, KeyError):  # an answer we cannot read: trying again with the same id is safe
        raise DeliveryError("gateway answer unreadable") from None
    return STATES.get(state.state, SmsReceipt.State.PENDING)


def gateway_state(gateway_id: str) -> str | None:
    """What the gateway says of one SMS now, or None when it cannot tell."""
    if not settings.SMS_GATEWAY_URL:
        return None
    try:
        with httpx.Client(timeout=TIMEOUT) as session:
            return STATES.get(_client(session).get_state(gateway_id).state)
    except (httpx.HTTPError, APIError, KeyError, ValueError):
        return None


def _client(session: httpx.Client) -> APIClient:
    return APIClient(settings.SMS_GATEWAY_LOGIN, settings.SMS_GATEWAY_PASSWORD,
                     base_url=settings.SMS_GATEWAY_URL, http=HttpxHttpClient(session))


def _write_file(phone: str, text: str, sms_id: str) -> str:
    """The laptop's gateway: one file an SMS under ``var/sms/``, as e-mails go to ``var/mail/``."""
    folder = settings.SMS_FILE_PATH
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{timezone.now():%Y%m%d-%H%M%S}-{re.sub(r'[^A-Za-z0-9-]', '', sms_id)[:40]}.txt"
    (folder / name).write_text(f"To: {phone}\n\n{text}\n", encoding="utf-8")
    return SmsReceipt.State.SENT


# -- the daily cap --------------------------------------------------------------------------

def sent_today(hub_id) -> int:
    return SmsDay.objects.filter(hub_id=hub_id, day=timezone.localdate()).values_list("n", flat=True).first() or 0


def take_slot(hub_id) -> bool:
    """Count one SMS for the hub today if it is under the cap: True when it may go."""
    day = timezone.localdate()
    SmsDay.objects.get_or_create(hub_id=hub_id, day=day)
    return bool(SmsDay.objects.filter(hub_id=hub_id, day=day, n__lt=settings.SMS_DAILY_CAP).update(n=F("n") + 1))


def give_back_slot(hub_id) -> None:
    """The SMS did not leave: it does not count."""
    SmsDay.objects.filter(hub_id=hub_id, day=timezone.localdate(), n__gt=0).update(n=F("n") - 1)


# -- the channel ----------------------------------------------------------------------------

class SmsChannel:
    name = "sms"

    def reaches(self, message) -> bool:
        if not message.urgent or not has_checked_phone(message.recipient):
            return False
        if SmsReceipt.objects.filter(message_id=message.pk, state=SmsReceipt.State.FAILED).exists():
            return False  # the gateway could not send it: the next try goes by another channel
        return sent_today(message.hub_id) < settings.SMS_DAILY_CAP

    def deliver(self, message, subject: str, body: str) -> None:
        if not take_slot(message.hub_id):  # another worker took the last one
            raise DeliveryError("daily SMS cap", retry=False)
        gateway_id = str(message.pk)
        try:
            state = send_text(message.recipient.phone, body, gateway_id)
        except DeliveryError:
            give_back_slot(message.hub_id)
            raise
        SmsReceipt.objects.update_or_create(message_id=message.pk, defaults={
            "gateway_id": gateway_id, "state": state, "updated_at": timezone.now()})


register(SmsChannel())


# -- how far it went ------------------------------------------------------------------------

def record_state(gateway_id: str, state: str) -> str:
    """Keep what the gateway says of an SMS; a failure sends its message back to the outbox.

    Returns what became of it: "recorded", "retried", "unknown" (no such SMS) or "stale"
    (the message moved on: answered, or already given to another channel).
    """
    receipt = SmsReceipt.objects.select_related("message").filter(gateway_id=gateway_id).first()
    if receipt is None:
        return "unknown"
    message = receipt.message
    if message.state != Message.State.SENT or message.channel != "sms":
        return "stale"
    if state != SmsReceipt.State.FAILED:
        if ORDER.index(state) > ORDER.index(receipt.state):  # events may come out of order: only forward
            SmsReceipt.objects.filter(pk=receipt.pk).update(state=state, updated_at=timezone.now())
        return "recorded"
    SmsReceipt.objects.filter(pk=receipt.pk).update(state=state, updated_at=timezone.now())
    from .. import outbox  # the outbox imports the channels: import it when needed

    requeued = Message.objects.filter(pk=message.pk, state=Message.State.SENT).update(
        state=Message.State.QUEUED, channel="", sent_at=None, not_before=None, error="sms: failed on the gateway")
    if requeued:
        log.warning("message %s: the SMS gateway could not send it; trying the next channel", message.pk)
        message.refresh_from_db()
        outbox.schedule(message)
        message.night.changed()
    return "retried"


def poll(within: timedelta = timedelta(hours=12)) -> int:
    """Ask the gateway how far the SMS still on their way went; how many changed."""
    changed = 0
    since = timezone.now() - within
    waiting = SmsReceipt.objects.filter(state__in=[SmsReceipt.State.PENDING, SmsReceipt.State.SENT],
                                        message__state=Message.State.SENT, message__sent_at__gte=since)
    for receipt in list(waiting):
        state = gateway_state(receipt.gateway_id)
        if state and state != receipt.state:
            record_state(receipt.gateway_id, state)
            changed += 1
    return changed
