from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "congvu.accounts"
    label = "accounts"
