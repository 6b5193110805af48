from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "nightstay.accounts"
    label = "accounts"
