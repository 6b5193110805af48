"""The front page: your hubs and what you can do in each."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .models import Membership, Role

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
