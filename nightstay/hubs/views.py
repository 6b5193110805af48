"""The front page (your hubs and what you can do in each) and the generic error pages."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .models import Membership


@login_required
def home(request):
    memberships = Membership.objects.filter(user=request.user).select_related("hub").order_by("hub__name", "role")
    hubs = {}
    for m in memberships:
        hubs.setdefault(m.hub, []).append(m.role)
    return render(request, "hubs/home.html", {"my_hubs": hubs})


def _error(status: int, title: str):
    def view(request, exception=None):
        return render(request, "error.html", {"status": status, "title": title}, status=status)

    return view


error_400 = _error(400, "Bad request")
error_403 = _error(403, "Not allowed")
error_404 = _error(404, "Not found")
error_500 = _error(500, "Something went wrong")
