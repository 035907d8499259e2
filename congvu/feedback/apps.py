from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "congvu.feedback"
    label = "feedback"
