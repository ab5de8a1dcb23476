from django.urls import path

from . import views

app_name = "tasks"
urlpatterns = [
    path("", views.task_list, name="list"),
    path("new/", views.new_task, name="new"),
    path("<int:task_id>/", views.task_detail, name="detail"),
]
