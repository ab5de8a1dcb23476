from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "dieuhanh.tasks"
    label = "tasks"
