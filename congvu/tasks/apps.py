from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "congvu.tasks"
    label = "tasks"
