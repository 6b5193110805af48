from django.apps import AppConfig


class FiguresConfig(AppConfig):
    name = "nightstay.figures"
    label = "figures"
