"""Background jobs of the audit log (huey): signed checkpoints of every chain, every hour."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import checkpoints


@db_periodic_task(crontab(minute="5"))
def hourly_audit_checkpoint():
    return {"signed": len(checkpoints.make_checkpoints())}
