from django.urls import path

from . import push_views, views

app_name = "messaging"

urlpatterns = [
    path("push/sw.js", push_views.service_worker, name="push_sw"),
    path("push/subscribe/", push_views.subscribe, name="push_subscribe"),
    path("push/unsubscribe/", push_views.unsubscribe, name="push_unsubscribe"),
    path("<str:token>/", views.answer, name="answer"),
]
