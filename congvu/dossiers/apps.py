from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "congvu.dossiers"
    label = "dossiers"
