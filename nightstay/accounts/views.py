"""Log in, log out, the second factor (TOTP), and a password reset by e-mail.

Nothing here tells a visitor whether an e-mail has an account: log-in, reset and sign-up
answer the same for known and unknown addresses.
"""
from __future__ import annotations

from base64 import b32encode
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from nightstay.privacy.crypto import blind_index

from . import second_factor, throttle
from .forms import CodeForm, LoginForm, NewPasswordForm, ResetForm
from .mail import send_link
from .models import User

# Failed log-ins from one address slow down, never lock: a park's Wi-Fi or a mobile carrier
# puts a crowd behind one address, and a guesser there must not keep them all out. The first
# FREE_FAILED_LOGINS in a quarter of an hour pass; past them the address gets one try per
# client_pace() seconds, growing to a 30 s wait. Each account still locks on its own after 5
# (backends.py). Successes do not count.
FREE_FAILED_LOGINS, FAILED_LOGINS_WINDOW, LONGEST_WAIT = 20, 15 * 60, 30
RESETS_PER_CLIENT = (5, 60 * 60)
CODES_PER_ACCOUNT = (10, 15 * 60)  # second-factor codes tried by one account, however fast they come


def client_pace(failures: int) -> int:
    """Seconds between two tries from one address after ``failures`` in the window: 0, then 1, 2, 4 ... 30."""
    over = failures - FREE_FAILED_LOGINS
    return 0 if over <= 0 else min(LONGEST_WAIT, 2 ** (over // 10))


def _next(request) -> str:
    """Where to go after log-in or the second factor: a local path, or home."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return reverse(settings.LOGIN_REDIRECT_URL)


def _two_factor_url(next_url: str) -> str:
    return f"{reverse('two_factor')}?{urlencode({'next': next_url})}"


@sensitive_post_parameters("password")
def login_view(request):
    next_url = _next(request)
    form = LoginForm(request, data=request.POST or None)
    context = {"form": form, "next": next_url}
    if request.method == "POST":
        # Counted before any password is checked: a burst from one address gets the counts
        # 1, 2, 3 ... and only the free ones and one per pace go on to the check.
        client = throttle.client_key(request)
        wait = client_pace(throttle.hit("login-failed", client, FAILED_LOGINS_WINDOW))
        if wait and not throttle.take_turn("login-turn", client, wait):
            throttle.refund("login-failed", client)  # not tried: no password was checked
            context["form"] = LoginForm(request, initial={"email": request.POST.get("email", "")})
            context["refused"] = ngettext("Many tries come from this network. Wait %(n)d second, then try again.",
                                          "Many tries come from this network. Wait %(n)d seconds, then try again.",
                                          wait) % {"n": wait}
            response = render(request, "accounts/login.html", context, status=429)
            response["Retry-After"] = str(wait)
            return response
        if form.is_valid():
            throttle.refund("login-failed", client)
            auth.login(request, form.user)
            if second_factor.required(form.user):
                return redirect(_two_factor_url(next_url))
            return redirect(next_url)
    return render(request, "accounts/login.html", context)


@require_POST
def logout_view(request):
    auth.logout(request)
    return redirect("login")


@login_required
def two_factor(request):
    """Enrol a phone (no confirmed device yet) or check a code from it; then back to ``next``.

    Coordinators and admins see names, phones and soon addresses: a stolen password alone
    must not open those pages (``hub_role_required`` sends them here).
    """
    next_url = _next(request)
    if request.user.is_verified():
        return redirect(next_url)
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = (TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
                  or TOTPDevice.objects.create(user=request.user, name="phone", confirmed=False))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _why = device.verify_is_allowed()
        # django-otp's own throttle reads, checks, then writes its count: a burst of guesses
        # reads it unchanged. This count is taken atomically before the code is checked.
        counted = throttle.allow("code", throttle.keyed(str(request.user.pk)), *CODES_PER_ACCOUNT)
        if not counted:
            form.add_error("code", _("Too many wrong codes. Wait a quarter of an hour, then try the newest code."))
        elif not allowed:
            form.add_error("code", _("Too many wrong codes. Wait a minute, then try the newest code."))
        elif device.verify_token(form.cleaned_data["code"]):
            throttle.forget("code", throttle.keyed(str(request.user.pk)))
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(next_url)
        else:
            form.add_error("code", _("That code is not right. Check the phone's clock and type the newest code."))
    context = {"form": form, "enrolling": enrolling, "next": next_url}
    if enrolling:
        secret = b32encode(device.bin_key).decode()
        uri = f"otpauth://totp/nightstay:{quote(request.user.first_name or 'volunteer')}?" + urlencode(
            {"secret": secret, "issuer": "nightstay", "digits": device.digits, "period": device.step})
        context["secret"] = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
        context["qr_svg"] = segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff", border=2)
    return render(request, "accounts/two_factor.html", context)


def password_reset(request):
    """Ask for a link by e-mail. The answer is the same whether or not the address has an account."""
    form = ResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if throttle.allow("reset", throttle.client_key(request), *RESETS_PER_CLIENT):
            user = User.objects.filter(email_index=blind_index(form.cleaned_data["email"]), is_active=True).first()
            if user is not None:
                send_link(user, "accounts/email/reset")
        return redirect("password_reset_sent")
    return render(request, "accounts/password_reset.html", {"form": form})


def password_reset_sent(request):
    return render(request, "accounts/password_reset_sent.html")


# Django's own token check; the token leaves the URL for the session before the form shows.
password_set = auth_views.PasswordResetConfirmView.as_view(
    form_class=NewPasswordForm, template_name="accounts/password_set.html", success_url=reverse_lazy("password_set_done"))


def password_set_done(request):
    return render(request, "accounts/password_set_done.html")
