from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "nightstay.volunteers"
    label = "volunteers"

    def ready(self):
        from django.db.models import Q

        from nightstay.privacy.registry import register_decided

        from .models import Application

        # An application's personal fields go some days after it is approved or declined; one never
        # decided is deleted after PENDING_APPLICATION_DAYS.
        register_decided(Application, Q(status__in=[Application.Status.APPROVED, Application.Status.DECLINED]),
                         "decided_at", pending=Q(status=Application.Status.PENDING), pending_clock="created_at")
