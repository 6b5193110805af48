from django.urls import path

from . import contact_views, push_views, sms_webhook, views

app_name = "messaging"

urlpatterns = [
    path("push/sw.js", push_views.service_worker, name="push_sw"),
    path("push/subscribe/", push_views.subscribe, name="push_subscribe"),
    path("push/unsubscribe/", push_views.unsubscribe, name="push_unsubscribe"),
    path("contact/", contact_views.contact, name="contact"),
    path("sms/webhook/", sms_webhook.webhook, name="sms_webhook"),
    path("<str:token>/", views.answer, name="answer"),
]
