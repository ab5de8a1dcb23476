"""Background jobs of tasks (huey): recurring tasks and deadline reminders, every morning."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(hour="6", minute="0"))
def daily_recurring_tasks():
    return services.generate_recurring()


@db_periodic_task(crontab(hour="6", minute="35"))
def daily_task_reminders():
    return services.send_reminders()
