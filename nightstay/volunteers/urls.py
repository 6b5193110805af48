from django.urls import path

from . import views

urlpatterns = [
    path("<slug:hub>/join/", views.join, name="volunteer_join"),
    path("<slug:hub>/join/thanks/", views.thanks, name="volunteer_thanks"),
    path("<slug:hub>/privacy/", views.privacy, name="volunteer_privacy"),
    path("<slug:hub>/queue/", views.queue, name="vetting_queue"),
    path("<slug:hub>/queue/<uuid:pk>/", views.decide, name="vetting_decide"),
]
