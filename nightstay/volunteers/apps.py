from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "nightstay.volunteers"
    label = "volunteers"
