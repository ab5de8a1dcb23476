"""/freezes/: the freezing pages (system administrators)."""

from django.urls import path

from . import freeze_views

app_name = "freezes"
urlpatterns = [
    path("", freeze_views.index, name="index"),
    path("<int:freeze_id>/", freeze_views.detail, name="detail"),
]
