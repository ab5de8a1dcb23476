from django.apps import AppConfig

from dieuhanh.documents import hooks


class RecordsConfig(AppConfig):
    name = "dieuhanh.records"
    label = "records"

    def ready(self) -> None:
        # documents sits below records: a freeze holds record files through its hook (decision 0042)
        from .freezing import record_file_freezing  # app loading: it imports models

        hooks.register_freezable_files(record_file_freezing)
