from django.apps import AppConfig


class HubsConfig(AppConfig):
    name = "nightstay.hubs"
    label = "hubs"
