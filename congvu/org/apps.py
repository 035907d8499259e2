from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "congvu.org"
    label = "org"
