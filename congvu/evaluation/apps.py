from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "congvu.evaluation"
    label = "evaluation"
