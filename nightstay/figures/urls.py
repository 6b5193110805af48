from django.urls import path

from . import views

urlpatterns = [
    path("<slug:hub>/", views.history, name="figures"),
    path("<slug:hub>/close/", views.close, name="night_close"),
    path("<slug:hub>/close/confirm/", views.close_night, name="close_night"),
    path("<slug:hub>/tonight/night.json", views.night_file, name="night_file"),
    path("<slug:hub>/tonight/plan.json", views.plan_file, name="plan_file"),
    path("<slug:hub>/panic/", views.panic, name="panic"),
]
