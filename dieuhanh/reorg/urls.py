from django.urls import path

from . import views

app_name = "reorg"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("units/", views.unit_options, name="unit_options"),
    path("<int:decision_id>/", views.detail, name="detail"),
    path("<int:decision_id>/progress/", views.progress, name="progress"),
]
