from django.apps import AppConfig


class DraftingConfig(AppConfig):
    name = "dieuhanh.drafting"
    label = "drafting"
