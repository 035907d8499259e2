from django.urls import path

from congvu.tasks import views

app_name = "tasks"
urlpatterns = [
    path("", views.my_tasks, name="my"),
    path("unit/<int:pk>/", views.unit_board, name="unit_board"),
    path("new/", views.assign, name="assign"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/extension/", views.extension_request, name="extension_request"),
    path("extensions/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
]
