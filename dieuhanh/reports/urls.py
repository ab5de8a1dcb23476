from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("units/<str:unit_id>/", views.unit_dashboard, name="dashboard"),
    path("units/<str:unit_id>/figures/<str:figure>/", views.figure_list, name="figure_list"),
    path("extensions/", views.extensions, name="extensions"),
]
