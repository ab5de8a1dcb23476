from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dieuhanh.core"
    label = "core"
