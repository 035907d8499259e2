from django.urls import path

from congvu.org import import_views, views

app_name = "org"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("units/<int:pk>/children/", views.tree_children, name="tree_children"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/change/", views.unit_rename, name="unit_rename"),
    path("units/<int:pk>/add/", views.unit_add, name="unit_add"),
    path("units/<int:pk>/merge/", views.unit_merge, name="unit_merge"),
    path("units/<int:pk>/split/", views.unit_split, name="unit_split"),
    path("units/<int:pk>/dissolve/", views.unit_dissolve, name="unit_dissolve"),
    path("people/", views.person_list, name="person_list"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/pid/", views.person_pid, name="person_pid"),
    path("import/", import_views.upload, name="import"),
    path("import/template.xlsx", import_views.template, name="import_template"),
    path("import/<int:pk>/", import_views.status, name="import_status"),
]
