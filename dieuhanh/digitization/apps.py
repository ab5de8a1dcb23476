from django.apps import AppConfig


class DigitizationConfig(AppConfig):
    name = "dieuhanh.digitization"
    verbose_name = "Digitization"
