from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "nightstay.privacy"
    label = "privacy"
    verbose_name = "Privacy"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
        from . import logs

        logs.install()  # no token in any log line, from here on
