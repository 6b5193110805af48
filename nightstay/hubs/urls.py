from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    # Under /figures/ since the button was first there: an admin's bookmark still finds it.
    path("figures/<slug:hub>/panic/", views.panic, name="panic"),
]
