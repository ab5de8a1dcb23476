from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "dieuhanh.projects"
    label = "projects"
    verbose_name = "Digital-transformation projects"
