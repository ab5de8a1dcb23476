from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dieuhanh.core"
    label = "core"

    def ready(self):
        # huey's worker imports only modules named tasks.py; the apps keep their jobs in jobs.py. Import them so
        # the worker knows every task and runs the periodic ones (fixity, reminders, audit checkpoints).
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("jobs")

        # one rule for control characters in every text field, whatever path the text came by (decision 0032)
        from django.db.models.signals import pre_save

        from .text import clean_model_text

        pre_save.connect(clean_model_text, dispatch_uid="core.clean_model_text")
