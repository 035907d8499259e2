from django.urls import include, path

from congvu.api import api

urlpatterns = [
    path("", include("congvu.core.urls")),
    path("accounts/", include("congvu.accounts.urls")),
    path("org/", include("congvu.org.urls")),
    path("audit/", include("congvu.audit.urls")),
    path("tasks/", include("congvu.tasks.urls")),
    path("notifications/", include("congvu.notifications.urls")),
    path("evaluation/", include("congvu.evaluation.urls")),
    path("feedback/", include("congvu.feedback.urls")),
    path("open311/v2/", include("congvu.feedback.open311_urls")),
    path("reports/", include("congvu.reports.urls")),
    path("api/v1/", api.urls),
]
