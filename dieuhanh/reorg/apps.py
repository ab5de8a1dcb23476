from django.apps import AppConfig

from dieuhanh.documents import hooks


class ReorgConfig(AppConfig):
    name = "dieuhanh.reorg"
    label = "reorg"

    def ready(self) -> None:
        # documents and search sit below reorg: the receiving unit's read grant is registered there (decision 0040)
        from dieuhanh.search import services as search_services  # app loading: it imports models

        from .grants import handover_reads, receiving_units  # app loading, as above

        hooks.register_reader_grant(handover_reads)
        search_services.register_reader_units(receiving_units)
