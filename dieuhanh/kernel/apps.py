from django.apps import AppConfig

from .text import clean_model_text


class KernelConfig(AppConfig):
    """Vietnamese text, pagination, API errors, network zones, keys, PDF fonts: what every app uses and which
    knows no domain (docs/architecture.md)."""

    name = "dieuhanh.kernel"
    label = "kernel"

    def ready(self) -> None:
        # one rule for control characters in every text field, whatever path the text came by (decision 0032)
        from django.db.models.signals import pre_save

        pre_save.connect(clean_model_text, dispatch_uid="kernel.clean_model_text")
        # job failures counted where /metrics can read them (issue 21)
        from .metrics import install_huey_signals

        install_huey_signals()
