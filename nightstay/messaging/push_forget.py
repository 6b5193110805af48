"""When a phone must stop getting pushed messages although nobody pressed "Stop".

- Logging out on a phone forgets the subscriptions made in that session: the session keeps
  the ids of the subscriptions it made (``remember``), and Django's ``user_logged_out``
  signal, sent before the session is flushed, deletes them (``forget_on_logout``). A
  phone left logged out, or lent, gets no more messages meant for the volunteer.
- A panic forgets the push subscriptions of every member of the panicking hub
  (``forget_members``, registered with ``privacy.registry.on_panic``): a seized phone must
  not light up with "still on tonight?". A subscription belongs to a person, not to a hub, so
  a volunteer who is also in another hub loses push there too until they subscribe again
  (one tap); their messages meanwhile go by the next channel (SMS, e-mail). The admin's own
  session is kept by the panic, and so is the subscription it made.
"""
from __future__ import annotations

from importlib import import_module

from django.conf import settings

from .push_models import PushSubscription

SESSION_KEY = "push_subscriptions"  # the ids of the subscriptions this session made


def remember(request, subscription: PushSubscription) -> None:
    made = [i for i in request.session.get(SESSION_KEY, []) if i != str(subscription.pk)]
    request.session[SESSION_KEY] = [*made, str(subscription.pk)][-10:]


def made_in(session) -> list[str]:
    return [str(i) for i in session.get(SESSION_KEY, [])]


def still_here(request) -> bool:
    """Whether a subscription made in this session is still kept for its user."""
    made = made_in(request.session)
    return bool(made) and PushSubscription.objects.filter(user=request.user, pk__in=made).exists()


def forget_on_logout(sender, request=None, user=None, **kwargs) -> None:
    if request is None or user is None:
        return
    PushSubscription.objects.filter(user=user, pk__in=made_in(request.session)).delete()


def forget_members(user_ids, keep_session: str | None = None) -> int:
    kept = made_in(import_module(settings.SESSION_ENGINE).SessionStore(keep_session)) if keep_session else []
    return PushSubscription.objects.filter(user_id__in=list(user_ids)).exclude(pk__in=kept).delete()[0]
