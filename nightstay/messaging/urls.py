from django.urls import path

from . import contact_views, sms_webhook, views

app_name = "messaging"

urlpatterns = [
    path("contact/", contact_views.contact, name="contact"),
    path("sms/webhook/", sms_webhook.webhook, name="sms_webhook"),
    path("<str:token>/", views.answer, name="answer"),
]
