from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "dieuhanh.reports"
    label = "reports"

    def ready(self) -> None:
        # The write paths below never import reports: it listens to their saves (decision 0045).
        from . import receivers  # app loading: they import models

        receivers.connect()
