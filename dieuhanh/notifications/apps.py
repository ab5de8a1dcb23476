from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """The bell and its e-mail copies: a service every domain calls, so it sits below them (decision 0037)."""

    name = "dieuhanh.notifications"
    # The label stays "core" (the app's name before the split): installed systems keep their tables
    # (core_notification, core_notificationcursor) and migration history.
    label = "core"
    verbose_name = "notifications"
