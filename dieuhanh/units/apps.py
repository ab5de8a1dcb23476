from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "dieuhanh.units"
    label = "units"
