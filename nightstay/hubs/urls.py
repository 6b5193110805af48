from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:hub>/settings/", views.hub_settings, name="hub_settings"),
    # Under /figures/ since the button was first there: an admin's bookmark still finds it.
    path("figures/<slug:hub>/panic/", views.panic, name="panic"),
]
