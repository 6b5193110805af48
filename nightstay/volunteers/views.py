"""Sign-up (public, short, for a phone) and the hub's vetting queue (coordinators, after a call)."""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nightstay.accounts import throttle
from nightstay.hubs.access import HubRequest, hub_role_required
from nightstay.hubs.models import STAFF, Hub, Membership
from nightstay.privacy.crypto import blind_index

from .emails import send_welcome
from .forms import ApplicationForm, DecisionForm
from .models import Application

HOUR = 3600


def join(request, hub: str):
    """Anyone may offer a bed or a car. What they type waits, sealed, for a coordinator's call."""
    hub = get_object_or_404(Hub, slug=hub)
    request.private_page = True  # what was typed must not stay in a shared phone's cache
    form = ApplicationForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if (throttle.allow("signup-client", throttle.client_key(request), settings.SIGNUPS_PER_HOUR_PER_CLIENT, HOUR)
                and throttle.allow("signup-hub", hub.slug, settings.SIGNUPS_PER_HOUR_PER_HUB, HOUR)):
            application = form.save(commit=False)
            application.hub, application.language = hub, get_language() or "en"
            application.save()
            return redirect("volunteer_thanks", hub=hub.slug)
        form.add_error(None, _("Too many sign-ups just now. Please try again in an hour."))
        status = 429
    return render(request, "volunteers/join.html", {"hub": hub, "form": form}, status=status)


def thanks(request, hub: str):
    """The same page for everyone: it never says whether the e-mail was known."""
    hub = get_object_or_404(Hub, slug=hub)
    return render(request, "volunteers/thanks.html", {"hub": hub})


def privacy(request, hub: str):
    hub = get_object_or_404(Hub, slug=hub)
    return render(request, "volunteers/privacy.html", {"hub": hub})


@hub_role_required(*STAFF)
def queue(request: HubRequest):
    """Who waits for a call; those who already volunteer here (found by e-mail) say so."""
    pending = list(Application.objects.filter(hub=request.hub, status=Application.Status.PENDING))
    indexes = {a.pk: blind_index(a.email) for a in pending}
    held: dict[str, list[str]] = {}
    for index, role in Membership.objects.filter(hub=request.hub, user__email_index__in=indexes.values()).values_list(
            "user__email_index", "role"):
        held.setdefault(index, []).append(role)
    for application in pending:
        application.roles_here = sorted(held.get(indexes[application.pk], []))
    return render(request, "volunteers/queue.html", {"applications": pending})


@require_POST
@hub_role_required(*STAFF)
def decide(request: HubRequest, pk):
    """Approve (account, roles, welcome e-mail with a password link) or decline, with a call note."""
    application = get_object_or_404(Application, pk=pk, hub=request.hub, status=Application.Status.PENDING)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or decline."))
    elif form.cleaned_data["decision"] == "approve":
        user = application.approve(request.user, form.cleaned_data["call_note"])
        if send_welcome(user, request.hub):
            messages.success(request, _("%(name)s is in. A welcome e-mail is on its way.") % {"name": user.first_name})
        else:
            messages.warning(request, _("%(name)s is in, but the e-mail did not leave. They can use "
                                        "'Forgot your password?' on the log-in page.") % {"name": user.first_name})
    else:
        application.decline(request.user, form.cleaned_data["call_note"])
        messages.success(request, _("Declined."))
    if request.htmx:
        return render(request, "volunteers/_application.html", {"application": application})
    return redirect("vetting_queue", hub=request.hub.slug)
