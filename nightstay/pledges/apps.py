from django.apps import AppConfig


class PledgesConfig(AppConfig):
    name = "nightstay.pledges"
    label = "pledges"
