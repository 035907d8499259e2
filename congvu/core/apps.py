from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "congvu.core"
    label = "core"
    verbose_name = "Công Vụ: lõi"
