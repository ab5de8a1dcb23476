from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("", views.items, name="items"),
    path("<int:item_id>/retry/", views.retry, name="retry"),
]
