"""The one e-mail the accounts app sends: a link to choose a password.

Links are built on ``SITE_ROOT``, never on the Host header of the request that triggered
them, so a forged header cannot send a volunteer's reset token to another site.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


def set_password_url(user) -> str:
    """An absolute, single-use link (Django's reset token) to set ``user``'s password."""
    path = reverse("password_set", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    })
    return settings.SITE_ROOT.rstrip("/") + path


def send_link(user, template: str, **context) -> None:
    """Mail ``user`` the ``template`` (``<template>_subject.txt`` and ``.txt``) in their language."""
    with translation.override(user.language):
        context.update(user=user, link=set_password_url(user), site_root=settings.SITE_ROOT.rstrip("/"))
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}.txt", context)
    send_mail(subject, body, None, [user.email])
