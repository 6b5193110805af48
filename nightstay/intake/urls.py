from django.urls import path
from django.views.i18n import set_language

from . import views

app_name = "intake"
urlpatterns = [
    path("language/", set_language, name="set_language"),
    path("sw.js", views.service_worker, name="sw"),
    path("ticket/<str:token>/", views.ticket, name="ticket"),
    path("ticket/<str:token>/<str:lang>/", views.ticket, name="ticket_in"),
    path("<slug:hub>/", views.intake, name="intake"),
    path("<slug:hub>/party/<uuid:party_id>/", views.edit, name="edit"),
    path("<slug:hub>/party/<uuid:party_id>/left/", views.left, name="left"),
    path("<slug:hub>/party/<uuid:party_id>/link/", views.guest_link, name="guest_link"),
]
