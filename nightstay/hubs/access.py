"""Who may see a page: the first lines of every view say it.

``@hub_role_required(Role.COORDINATOR, ...)`` loads the hub named in the URL (``hub`` slug),
checks the logged-in user holds one of the roles *in that hub*, and passes a typed
``request.hub`` and ``request.roles``. A coordinator or admin must also have passed the
second factor (TOTP). Anything else is a 404 for other hubs (no hint that a hub exists to
outsiders) and a redirect to log in for anonymous visitors.
"""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from .models import STAFF, Hub, Membership



class HubRequest(HttpRequest):
    """A request that passed ``hub_role_required``: ``hub`` and the user's ``roles`` in it."""

    hub: Hub
    roles: set[str]


def roles_in(user, hub: Hub) -> set[str]:
    if not user.is_authenticated:
        return set()
    return set(Membership.objects.filter(user=user, hub=hub).values_list("role", flat=True))


def needs_second_factor(user, roles: set[str]) -> bool:
    return bool(roles & set(STAFF)) and not user.is_verified()


def hub_role_required(*allowed: str):
    def decorator(view):
        @wraps(view)
        def wrapper(request, hub: str, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            hub_obj = get_object_or_404(Hub, slug=hub)
            roles = roles_in(request.user, hub_obj)
            if not roles & set(allowed):
                raise Http404("no such page")
            if roles & set(allowed) <= set(STAFF) and needs_second_factor(request.user, roles):
                return redirect(f"{reverse('two_factor')}?{urlencode({'next': request.get_full_path()})}")
            request.hub, request.roles = hub_obj, roles
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = allowed
        return wrapper

    return decorator
