from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "dieuhanh.records"
    label = "records"

    def ready(self) -> None:
        # documents sits below records: a freeze holds record files through its hook (decision 0042)
        from dieuhanh.documents import hooks

        from .freezing import record_file_freezing  # app loading: it imports models

        hooks.register_freezable_files(record_file_freezing)
