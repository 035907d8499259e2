from django.urls import path

from congvu.reports import transparency

app_name = "reports"
urlpatterns = [
    path("transparency/", transparency.transparency, name="transparency"),
]
