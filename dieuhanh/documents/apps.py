from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "dieuhanh.documents"
    label = "documents"
