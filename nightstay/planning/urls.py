from django.urls import path

from . import views

urlpatterns = [
    path("<slug:hub>/tonight/plan/", views.plan, name="plan"),
    path("<slug:hub>/tonight/plan/status/", views.plan_status, name="plan_status"),
    path("<slug:hub>/tonight/pin/", views.pin, name="pin"),
    path("<slug:hub>/tonight/unpin/", views.unpin, name="unpin"),
    path("<slug:hub>/tonight/move/", views.move, name="move"),
    path("<slug:hub>/tonight/event/", views.night_event, name="night_event"),
]
