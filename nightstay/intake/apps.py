from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "nightstay.intake"
    label = "intake"
