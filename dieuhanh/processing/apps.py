from django.apps import AppConfig


class ProcessingConfig(AppConfig):
    name = "dieuhanh.processing"
    label = "processing"
