from django.apps import AppConfig

from dieuhanh.processing import hooks


class TasksConfig(AppConfig):
    name = "dieuhanh.tasks"
    label = "tasks"

    def ready(self) -> None:
        # processing sits below tasks: the tracker shows tasks through its hook (decision 0042)
        from . import selectors  # app loading: it imports models

        hooks.register_tracker_rows("task_rows", selectors.tracker)
