"""Queue a message, and the worker's task that delivers it.

``queue`` renders the subject and body in the recipient's language at once (so the worker
needs no request, and what was said is what the coordinator saw), seals them, and hands the
message to the task queue once the transaction that made it commits. ``deliver`` runs in the
worker: it claims the message (two workers never send it twice), tries the channels
``route`` gives, and on a failure worth retrying waits longer each time (``RETRY_WAITS``).
Messages that are not about tonight wait out the quiet hours. A backend that cannot defer a
task (the tests' immediate one) leaves a waiting message queued: ``flush_due`` (the
``send_messages`` command) hands over those whose time has come.
"""
from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import default_task_backend, task

from .channels import DeliveryError, route
from .models import Message

log = logging.getLogger(__name__)

RETRY_WAITS = (timedelta(minutes=1), timedelta(minutes=3), timedelta(minutes=10))  # then: failed


def queue(recipient, night, template: str, context: dict | None = None, *, urgent: bool = True,
          about: str = "", asks: bool = False) -> Message:
    """A message to ``recipient`` about ``night``, from ``messaging/<template>[_subject].txt``.

    ``asks``: the message asks yes or no, by a one-tap link or an SMS reply with a short code
    (``replies``). ``about``: the id of what it asks about, for whoever handles the answer.
    """
    message = Message(hub_id=night.hub_id, night=night, recipient=recipient, template=template, about=about,
                      urgent=urgent)
    context = {**(context or {}), "user": recipient, "hub": night.hub, "night": night}
    if asks:
        token = message.new_token()
        message.reply_code = _new_code()
        context.update(code=message.reply_code, answer_link=absolute(reverse("messaging:answer", args=[token])))
    with translation.override(recipient.language):
        message.subject = render_to_string(f"messaging/{template}_subject.txt", context).strip()
        message.body = render_to_string(f"messaging/{template}.txt", context).strip()
    if not urgent:
        message.not_before = after_quiet_hours(timezone.now())
    message.save()
    transaction.on_commit(lambda: schedule(message))
    return message


def absolute(path: str) -> str:
    return settings.SITE_ROOT.rstrip("/") + path


def _new_code() -> str:
    """A reply code no open question has: 4 digits while they are plenty, 6 when crowded."""
    open_codes = set(Message.objects.filter(state__in=[Message.State.QUEUED, Message.State.SENT])
                     .exclude(reply_code="").values_list("reply_code", flat=True))
    for digits in (4, 4, 4, 6, 6, 6, 8):
        code = str(secrets.randbelow(9 * 10 ** (digits - 1)) + 10 ** (digits - 1))
        if code not in open_codes:
            return code
    raise RuntimeError("no free reply code")


def after_quiet_hours(now: datetime) -> datetime | None:
    """When a message that is not about tonight may leave: now, or the end of the quiet hours."""
    start, end = settings.MESSAGE_QUIET_HOURS
    local = timezone.localtime(now)
    if start <= local.hour or local.hour < end:
        day = local.date() if local.hour < end else local.date() + timedelta(days=1)
        return local.replace(year=day.year, month=day.month, day=day.day, hour=end, minute=0, second=0, microsecond=0)
    return None


def schedule(message: Message) -> None:
    """Hand ``message`` to the task queue, now or at ``not_before``."""
    if message.not_before and message.not_before > timezone.now():
        if not default_task_backend.supports_defer:
            return  # flush_due sends it when its time comes
        deliver.using(run_after=message.not_before).enqueue(str(message.pk))
    else:
        deliver.enqueue(str(message.pk))


@task()
def deliver(message_id: str) -> str:
    """Send one queued message through the first channel that carries it; the state it ends in."""
    message = Message.objects.select_related("recipient", "hub", "night").filter(pk=message_id).first()
    if message is None or message.state != Message.State.QUEUED:
        return "gone" if message is None else message.state
    now = timezone.now()
    if message.not_before and message.not_before > now:
        return "waiting"
    claimed = Message.objects.filter(pk=message.pk, state=Message.State.QUEUED, attempts=message.attempts).update(
        attempts=message.attempts + 1)
    if not claimed:  # another worker has it
        return "taken"
    message.attempts += 1
    contact = getattr(message.recipient, "contact", None)
    retry, reasons = False, []
    for channel in route(message, contact.prefers if contact else ""):
        try:
            channel.deliver(message, message.subject, message.body)
        except DeliveryError as exc:
            retry |= exc.retry
            reasons.append(f"{channel.name}: {exc.reason}")
            log.warning("message %s not delivered by %s (%s)", message.pk, channel.name, exc.reason)
            continue
        Message.objects.filter(pk=message.pk).update(state=Message.State.SENT, channel=channel.name,
                                                     sent_at=timezone.now(), error="")
        message.night.changed()  # the board's ticks
        return Message.State.SENT
    if retry and message.attempts <= len(RETRY_WAITS):
        message.not_before = now + RETRY_WAITS[message.attempts - 1]
        Message.objects.filter(pk=message.pk).update(not_before=message.not_before, error="; ".join(reasons)[:80])
        schedule(message)
        return "retry"
    Message.objects.filter(pk=message.pk).update(state=Message.State.FAILED,
                                                 error=("; ".join(reasons) or "no channel reaches them")[:80])
    message.night.changed()
    return Message.State.FAILED


def flush_due(now: datetime | None = None) -> int:
    """Hand the queue the messages whose wait is over (for a task backend that cannot defer)."""
    now = now or timezone.now()
    due = list(Message.objects.filter(state=Message.State.QUEUED, not_before__lte=now).values_list("pk", flat=True))
    for pk in due:
        deliver.enqueue(str(pk))
    return len(due)
