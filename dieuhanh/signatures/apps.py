from django.apps import AppConfig


class SignaturesConfig(AppConfig):
    name = "dieuhanh.signatures"
    label = "signatures"
