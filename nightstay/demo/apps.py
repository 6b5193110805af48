from django.apps import AppConfig


class DemoConfig(AppConfig):
    """A leaf: it may import every app, no app imports it."""

    name = "nightstay.demo"
    label = "demo"
