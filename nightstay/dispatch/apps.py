from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "nightstay.dispatch"
    label = "dispatch"
