from django.apps import AppConfig


class FiguresConfig(AppConfig):
    name = "nightstay.figures"
    label = "figures"

    def ready(self):
        from nightstay.privacy.registry import before_night_purge

        from .models import NightFigures

        before_night_purge(NightFigures.keep)  # the night's anonymous counts outlive its rows
