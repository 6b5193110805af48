"""Every page of the platform, app by app in the order of the night."""
from django.urls import include, path

urlpatterns = [
    path("", include("nightstay.hubs.urls")),
    path("", include("nightstay.accounts.urls")),
    path("volunteer/", include("nightstay.volunteers.urls")),
    path("pledges/", include("nightstay.pledges.urls")),
    path("intake/", include("nightstay.intake.urls")),
    path("", include("nightstay.planning.urls")),
    path("", include("nightstay.dispatch.urls")),
    path("figures/", include("nightstay.figures.urls")),
]

handler400 = "nightstay.hubs.views.error_400"
handler403 = "nightstay.hubs.views.error_403"
handler404 = "nightstay.hubs.views.error_404"
handler500 = "nightstay.hubs.views.error_500"
