"""Background jobs of processing (huey): daily deadline reminders, the daily check of the holiday calendar."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import calendar, services

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="6", minute="30"))
def daily_reminders():
    return services.send_reminders()


@db_periodic_task(crontab(hour="6", minute="45"))
def daily_holiday_check():
    """Warn in the log while the holiday calendar runs out, or holds only provisional days, within
    ``calendar.WARNING_MONTHS`` months (decision 0039)."""
    warning = calendar.coverage_warning()
    if warning:
        logger.warning(warning)
    return warning
