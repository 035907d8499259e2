from django.urls import path

from congvu.reports import transparency, unit_page

app_name = "reports"
urlpatterns = [
    path("transparency/", transparency.transparency, name="transparency"),
    path("units/<int:pk>/", unit_page.unit_page, name="unit"),
]
