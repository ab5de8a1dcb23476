from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "dieuhanh.search"
    label = "search"
    verbose_name = "Search"

    def ready(self):
        from . import signals  # noqa: F401 - connects the in-transaction indexing; app loading: it imports models
