from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "nightstay.network"
    label = "network"

    def ready(self):
        from nightstay.privacy.registry import before_night_purge

        from .offers import forget_lent_places

        before_night_purge(forget_lent_places)  # beds lent for a night go with that night's rows
