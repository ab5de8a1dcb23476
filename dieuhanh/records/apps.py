from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "dieuhanh.records"
    label = "records"
