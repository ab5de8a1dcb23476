from django.urls import path

from . import views

app_name = "units"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("tree/", views.tree_children, name="tree_roots"),
    path("tree/<int:unit_id>/", views.tree_children, name="tree_children"),
    path("new/", views.unit_create, name="create_root"),
    path("<int:unit_id>/", views.unit_detail, name="detail"),
    path("<int:unit_id>/edit/", views.unit_edit, name="edit"),
    path("<int:unit_id>/new/", views.unit_create, name="create_child"),
]
