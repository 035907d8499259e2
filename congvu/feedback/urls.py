from django.urls import path

from congvu.feedback import routing_views, views

app_name = "feedback"
urlpatterns = [
    path("", views.portal, name="portal"),
    path("lookup/", views.lookup, name="lookup"),
    path("s/<str:code>/", views.status, name="status"),
    path("s/<str:code>/rate/", views.rate, name="rate"),
    path("s/<str:code>/reopen/", views.reopen, name="reopen"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/", views.detail, name="detail"),
    path("inbox/<int:pk>/act/", views.act, name="act"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("people/<int:pk>/", views.person_page, name="person"),
    path("routing/", routing_views.rules_page, name="routing"),
    path("routing/<int:pk>/", routing_views.rule_edit, name="routing_edit"),
]
