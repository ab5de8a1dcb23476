from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """What operators run across apps: demo data, seeding, backup and restore, reference data."""

    name = "dieuhanh.operations"
    label = "operations"
