"""Background jobs of the intake channels (huey): poll the mailboxes and watched folders every two minutes; take a
retried item in again on commit of the clerk's retry."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from . import services


@db_periodic_task(crontab(minute="*/2"))
@lock_task("intake-poll")
def poll_intake_sources():
    return services.poll_all()


@db_task()
def retry_item_job(item_id):
    item = services.reprocess(item_id)
    return item.state if item else None
