"""The page a message's one-tap link opens: the question, and a yes and a no button.

The page shows the message's question itself (``Message.question``): the subject alone
does not say what is asked or by when. Opening the link changes nothing (phones and chat apps open links to preview them); the
answer is a POST from the page. No log-in: the link's token is the key, and it opens only
the one question it was made for.
"""
from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.http import require_http_methods

from . import replies
from .models import Message


@require_http_methods(["GET", "POST"])
def answer(request, token: str):
    message = replies.by_token(token)
    if message is None:
        raise Http404
    request.private_page = True
    if not message.opened_at:
        Message.objects.filter(pk=message.pk, opened_at__isnull=True).update(opened_at=timezone.now())
    outcome = None
    if request.method == "POST" and request.POST.get("answer") in ("yes", "no"):
        outcome = replies.answer(message, request.POST["answer"] == "yes", "link")
        message.refresh_from_db()
    # In the recipient's language, unless this phone chose one with the switch at the foot.
    chosen = settings.LANGUAGE_COOKIE_NAME in request.COOKIES
    with translation.override(translation.get_language() if chosen else message.recipient.language):
        return render(request, "messaging/answer.html", {"message": message, "outcome": outcome,
                                                         "hub": message.night.hub},
                      status=200 if outcome in (None, "taken", "answered") else 409)
