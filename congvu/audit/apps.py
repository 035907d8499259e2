from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "congvu.audit"
    label = "audit"
