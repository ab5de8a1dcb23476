"""Background jobs of accounts (huey): the hourly purge of sign-in counters nobody needs any more."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="20"))
def hourly_throttle_purge():
    return services.purge_login_throttles()
