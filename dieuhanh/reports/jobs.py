"""Background job of reports (huey): keep the rollups equal to a recount of the raw tables (decision 0045)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="*/10"))
def refresh_report_figures():
    return services.refresh_changed()
