from django.urls import path

from congvu.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.my_sheets, name="my"),
    path("open/", views.open_sheet, name="open"),
    path("unit/<int:pk>/", views.unit_sheets, name="unit"),
    path("sheets/<int:pk>/", views.sheet_detail, name="sheet"),
    path("sheets/<int:pk>/export/", views.sheet_export, name="sheet_export"),
    path("unit/<int:pk>/export/", views.unit_export, name="unit_export"),
    path("sheets/<int:pk>/self/", views.self_assess, name="self_assess"),
    path("sheets/<int:pk>/review/", views.review, name="review"),
    path("sheets/<int:pk>/return/", views.return_sheet, name="return"),
    path("sheets/<int:pk>/decide/", views.decide, name="decide"),
    path("sheets/<int:pk>/collective/", views.collective, name="collective"),
    path("sheets/<int:pk>/complaint/", views.complain, name="complain"),
    path("sheets/<int:pk>/absence/", views.absence, name="absence"),
    path("complaints/<int:pk>/resolve/", views.resolve, name="resolve"),
]
