"""Background job of reports (huey): keep the rollups equal to a recount of the raw tables (decision 0045)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import schedules, services


@db_periodic_task(crontab(minute="*/10"))
def refresh_report_figures():
    return services.refresh_changed()


# --- the standard reports (issue 16) -----------------------------------------------------------------------------

@db_task()
def produce_report_run(run_id):
    """An export asked for on a page or over the API: the report, then its .xlsx and PDF, with progress."""
    return schedules.produce(run_id)


@db_periodic_task(crontab(minute="50", hour="6"))
def run_report_schedules():
    """Every morning: the weekly and monthly reports leaders scheduled that are due, produced and announced."""
    return schedules.run_due()
