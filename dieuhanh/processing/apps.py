from django.apps import AppConfig

from dieuhanh.documents import hooks


class ProcessingConfig(AppConfig):
    name = "dieuhanh.processing"
    label = "processing"

    def ready(self) -> None:
        # documents sits below processing: its handlers' read grant is registered there (decision 0042)
        from .grants import handler_reads  # app loading: it imports models

        hooks.register_reader_grant(handler_reads)
