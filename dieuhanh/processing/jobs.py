"""Background jobs of processing (huey): daily deadline reminders."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(hour="6", minute="30"))
def daily_reminders():
    return services.send_reminders()
