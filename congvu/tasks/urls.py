from django.urls import path

from congvu.tasks import overview, source_views, views

app_name = "tasks"
urlpatterns = [
    path("", views.my_tasks, name="my"),
    path("overview/", overview.overview, name="overview"),
    path("unit/<int:pk>/", views.unit_board, name="unit_board"),
    path("new/", views.assign, name="assign"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/extension/", views.extension_request, name="extension_request"),
    path("<int:pk>/difficulty/", views.difficulty_raise, name="difficulty_raise"),
    path("<int:pk>/coordination/", views.coordination_request, name="coordination_request"),
    path("extensions/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
    path("difficulties/<int:pk>/answer/", views.difficulty_answer, name="difficulty_answer"),
    path("coordinations/<int:pk>/answer/", views.coordination_answer, name="coordination_answer"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
    path("series/<int:pk>/stop/", views.series_stop, name="series_stop"),
    path("meetings/", source_views.meeting_list, name="meetings"),
    path("meetings/new/", source_views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", source_views.meeting_detail, name="meeting"),
    path("visits/", source_views.visit_list, name="visits"),
    path("visits/new/", source_views.visit_new, name="visit_new"),
    path("visits/<int:pk>/", source_views.visit_detail, name="visit"),
    path("visits/<int:pk>/record/", source_views.visit_record, name="visit_record"),
]
