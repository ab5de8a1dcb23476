import datetime

from dieuhanh.core.models import Notification
from dieuhanh.processing import services
from dieuhanh.processing.calendar import add_working_days


def test_reminders_before_at_and_after_the_deadline_once_each(received):
    r = received
    today = datetime.date.today()
    deadline = add_working_days(today, 1)
    (flow,) = services.assign(actor=r.org.leader_b, entry=r.entry, deadline=deadline,
                              handlers=[{"user_id": r.spec_b.pk, "role": "lead"}])
    Notification.objects.all().delete()
    assert services.send_reminders(today) == 1
    assert services.send_reminders(today) == 0  # never twice
    assert Notification.objects.get(user=r.spec_b).message.startswith("Due on")
    assert services.send_reminders(deadline) == 1
    assert Notification.objects.filter(user=r.spec_b, message__startswith="Due today").count() == 1
    after = deadline + datetime.timedelta(days=1)
    assert services.send_reminders(after) == 1
    escalation = Notification.objects.get(user=r.org.leader_b, message__startswith="Overdue")
    assert r.spec_b.full_name in escalation.message


def test_completed_flows_get_no_reminders(received):
    r = received
    today = datetime.date.today()
    (flow,) = services.assign(actor=r.org.leader_b, entry=r.entry, deadline=today,
                              handlers=[{"user_id": r.spec_b.pk, "role": "lead"}])
    services.complete(actor=r.spec_b, flow=flow, result="Xong")
    assert services.send_reminders(today) == 0


def test_the_job_is_registered_daily():
    from dieuhanh.processing import jobs

    task = jobs.daily_reminders.task_class()
    assert task.validate_datetime(datetime.datetime(2026, 11, 24, 6, 30))
    assert not task.validate_datetime(datetime.datetime(2026, 11, 24, 7, 30))
