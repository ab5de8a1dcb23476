from django.urls import path

from . import views

app_name = "reorg"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:decision_id>/", views.detail, name="detail"),
]
