"""Background job of the gateway: every minute, send what is due and read the inbound folders and queues (the
`dieuhanh gateway run` loop does the same continuously in its own process)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .inbound import read_inbound
from .services import send_due


@db_periodic_task(crontab(minute="*"))
def gateway_tick():
    return {"out": send_due(limit=500), "in": read_inbound()}
