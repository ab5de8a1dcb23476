"""Background jobs of documents (huey): the weekly fixity check of stored files."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import fixity


@db_periodic_task(crontab(day_of_week="0", hour="2", minute="0"))
def weekly_fixity_check():
    checked, problems = fixity.check()
    return {"checked": checked, "problems": len(problems)}
