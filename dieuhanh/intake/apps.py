from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "dieuhanh.intake"
    label = "intake"
    verbose_name = "Intake from mailboxes and watched folders"
