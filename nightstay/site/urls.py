"""Every page of the platform, app by app in the order of the night."""
from django.urls import include, path

urlpatterns = [
    path("", include("nightstay.hubs.urls")),
    path("", include("nightstay.accounts.urls")),
    path("volunteer/", include("nightstay.volunteers.urls")),
    path("m/", include("nightstay.messaging.urls")),
    path("pledges/", include("nightstay.pledges.urls")),
    path("intake/", include("nightstay.intake.urls")),
    path("", include("nightstay.planning.urls")),
    path("", include("nightstay.dispatch.urls")),
    path("figures/", include("nightstay.figures.urls")),
    path("network/", include("nightstay.network.urls")),
]

# Static pages that need neither the database nor the session (nightstay.site.errors).
handler400 = "nightstay.site.errors.bad_request"
handler403 = "nightstay.site.errors.permission_denied"
handler404 = "nightstay.site.errors.page_not_found"
handler500 = "nightstay.site.errors.server_error"
