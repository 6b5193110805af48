"""The front page (your hubs and what you can do in each), the hub's settings and the panic button."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy as _

from .access import HubRequest, hub_role_required
from .forms import StillOnForm
from .models import Membership, Night, Role

# What the front page calls each role, in the reader's language (Role's labels are not translated).
ROLE_WORDS = {Role.ADMIN: _("hub admin"), Role.COORDINATOR: _("coordinator"), Role.HOST: _("host"),
              Role.DRIVER: _("driver")}


@login_required
def home(request):
    memberships = Membership.objects.filter(user=request.user).select_related("hub").order_by("hub__name", "role")
    hubs = {}
    for m in memberships:
        hubs.setdefault(m.hub, []).append(m.role)
    words = {hub: ", ".join(str(ROLE_WORDS[role]) for role in roles) for hub, roles in hubs.items()}
    return render(request, "hubs/home.html", {"my_hubs": [(h, roles, words[h]) for h, roles in hubs.items()]})


@hub_role_required(Role.ADMIN)
def panic(request: HubRequest):
    """Wipe tonight's data for the hub now; the admin's own session stays, every other member's ends."""
    if request.method == "POST":
        if request.POST.get("confirm") != "wipe":
            return render(request, "hubs/panic.html", {"error": True}, status=400)
        done = request.hub.panic(keep_session=request.session.session_key)
        Night.objects.filter(hub=request.hub).update(version=F("version") + 1)  # open pages empty themselves
        response = render(request, "hubs/panic_done.html",
                          {"rows": sum(done["night_rows"].values()), "sessions": done["sessions"]})
        response["Clear-Site-Data"] = '"cache", "storage"'  # this phone's kept intake goes too
        return response
    return render(request, "hubs/panic.html")


@hub_role_required(Role.ADMIN)
def hub_settings(request: HubRequest):
    """Hub admins: the hours hosts and drivers are asked "still on tonight?", and the time to answer."""
    form = StillOnForm(request.POST or None, instance=request.hub)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, gettext("Saved. Tonight's questions follow the new hours."))
        return redirect("hub_settings", hub=request.hub.slug)
    return render(request, "hubs/settings.html", {"form": form}, status=400 if form.is_bound else 200)
