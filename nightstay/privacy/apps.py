from django.apps import AppConfig
from django.db.models.signals import pre_save


class PrivacyConfig(AppConfig):
    name = "nightstay.privacy"
    label = "privacy"
    verbose_name = "Privacy"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
        from . import logs

        logs.install()  # no token in any log line, from here on
        from .text import strip_on_save

        pre_save.connect(strip_on_save, dispatch_uid="nightstay.privacy.text.strip_on_save")
