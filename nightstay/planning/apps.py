from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "nightstay.planning"
    label = "planning"
