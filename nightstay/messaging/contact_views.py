"""A volunteer's page: the channel they prefer, and their phone number checked by a code.

SMS goes only to a number its owner proved they hold: a 6-digit code is sent to the phone on
the account and typed back here within 10 minutes, in at most ``CODE_TRIES`` tries; at most
``CODES_PER_HOUR`` codes are sent an hour. The pending code lives in the shared cache as a
keyed hash bound to the number it went to, never in clear; ``Contact.phone_checked`` then keeps
a keyed hash of that number, so a number changed later is not checked any more.
"""
from __future__ import annotations

import hmac
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from nightstay.accounts import throttle

from .channels import DeliveryError, sms
from .models import Contact

CODE_SECONDS = 10 * 60
CODE_TRIES = 5
CODES_PER_HOUR = 3


def _pending_key(user) -> str:
    return f"sms-verify:{user.pk}"


def _code_hash(code: str, phone: str) -> str:
    return throttle.keyed(f"sms-code:{phone}:{code}")


@login_required
@require_http_methods(["GET", "POST"])
def contact(request):
    request.private_page = True
    user = request.user
    record, _created = Contact.objects.get_or_create(user=user)
    status = 200
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "prefer" and request.POST.get("prefers") in Contact.Channel.values:
        record.prefers = request.POST["prefers"]
        record.save(update_fields=["prefers"])
        messages.success(request, _("Saved: we reach you first by %(channel)s.") % {"channel": record.get_prefers_display()})
        return redirect("messaging:contact")
    if action == "send_code":
        status = _send_code(request, user)
        if status == 200:
            return redirect("messaging:contact")
    if action == "check_code":
        status = _check_code(request, user, record)
        if status == 200:
            return redirect("messaging:contact")
    return render(request, "messaging/contact.html", {
        "contact": record, "checked": sms.has_checked_phone(user), "pending": cache.get(_pending_key(user)) is not None,
        "phone_end": user.phone[-2:] if user.phone else "", "channels": Contact.Channel.choices,
    }, status=status)


def _send_code(request, user) -> int:
    if not user.phone:
        messages.error(request, _("Your account has no phone number: ask your coordinator to add it."))
        return 400
    if throttle.hit("sms-code-sent", throttle.keyed(str(user.pk)), 3600) > CODES_PER_HOUR:
        messages.error(request, _("Too many codes sent: try again in an hour."))
        return 429
    code = f"{secrets.randbelow(10 ** 6):06d}"
    with translation.override(user.language):
        text = _("nightstay: your code is %(code)s. It expires in 10 minutes.") % {"code": code}
    try:
        sms.send_text(user.phone, text, f"verify-{secrets.token_hex(8)}")
    except DeliveryError:
        messages.error(request, _("The SMS could not leave just now. Try again in a few minutes."))
        return 503
    nonce = secrets.token_hex(8)  # a new code, a new count of tries
    cache.set(_pending_key(user), f"{nonce}:{_code_hash(code, user.phone)}", timeout=CODE_SECONDS)
    messages.success(request, _("A code is on its way to your phone (ending in %(end)s).") % {"end": user.phone[-2:]})
    return 200


def _check_code(request, user, record: Contact) -> int:
    pending = cache.get(_pending_key(user))
    if pending is None:
        messages.error(request, _("That code has expired. Ask for a new one."))
        return 400
    nonce, expected = pending.split(":", 1)
    if throttle.hit("sms-code-try", nonce, CODE_SECONDS) > CODE_TRIES:
        cache.delete(_pending_key(user))
        messages.error(request, _("Too many wrong codes. Ask for a new one."))
        return 429
    typed = "".join(ch for ch in request.POST.get("code", "") if ch.isdigit())
    if not hmac.compare_digest(expected, _code_hash(typed, user.phone or "")):
        messages.error(request, _("That is not the code we sent. Check it and try again."))
        return 400
    cache.delete(_pending_key(user))
    record.phone_verified_at = timezone.now()
    record.phone_checked = sms.phone_key(user.phone)
    record.save(update_fields=["phone_verified_at", "phone_checked"])
    messages.success(request, _("Your number is checked: urgent messages about tonight may come by SMS."))
    return 200
