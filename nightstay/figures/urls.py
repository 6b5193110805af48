from django.urls import path

from . import close, views

urlpatterns = [
    path("<slug:hub>/", views.history, name="figures"),
    path("<slug:hub>/nights.csv", views.export, name="figures_csv"),
    path("<slug:hub>/publish/", views.publish, name="figures_publish"),
    path("<slug:hub>/public/", views.public, name="figures_public"),
    path("<slug:hub>/close/", close.close, name="night_close"),
    path("<slug:hub>/close/confirm/", close.close_night, name="close_night"),
    path("<slug:hub>/tonight/night.json", close.night_file, name="night_file"),
    path("<slug:hub>/tonight/plan.json", close.plan_file, name="plan_file"),
]
