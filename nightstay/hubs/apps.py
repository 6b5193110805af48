from django.apps import AppConfig


class HubsConfig(AppConfig):
    name = "nightstay.hubs"
    label = "hubs"

    def ready(self):
        from nightstay.accounts.second_factor import require_when
        from nightstay.privacy.registry import register_night

        from .models import Night, is_staff

        register_night(Night)  # night-scoped rows are purged through their foreign keys to it
        require_when(is_staff)  # a hub's staff pass the second factor right after the password
