from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The shell people and clients meet: home page and counters, notifications centre, error pages, and the
    mounting of every app's pages and API routers."""

    name = "dieuhanh.site"
    label = "site"

    def ready(self):
        # huey's worker imports only modules named tasks.py; the apps keep their jobs in jobs.py. Import them so
        # the worker knows every task and runs the periodic ones (fixity, reminders, audit checkpoints).
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("jobs")
