"""Background jobs of records (huey): reminders of overdue loans, every morning."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(hour="6", minute="40"))
def daily_loan_reminders():
    return services.send_loan_reminders()
