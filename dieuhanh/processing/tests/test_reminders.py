import datetime

from django.utils import translation

from dieuhanh.notifications.models import Notification
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
    soon = Notification.objects.get(user=r.spec_b)
    with translation.override("en"):
        assert soon.text().startswith(f"Due on {deadline:%d/%m/%Y}: ")
    with translation.override("vi"):
        assert soon.text().startswith(f"Hạn xử lý {deadline:%d/%m/%Y}: ")
    assert services.send_reminders(deadline) == 1
    assert Notification.objects.filter(user=r.spec_b, msgid="Due today: %(subject)s").count() == 1
    after = deadline + datetime.timedelta(days=1)
    assert services.send_reminders(after) == 1
    escalation = Notification.objects.get(user=r.org.leader_b, msgid__startswith="Overdue")
    assert escalation.params["handler"] == r.spec_b.full_name
    with translation.override("en"):
        assert escalation.text().startswith(f"Overdue since {deadline:%d/%m/%Y}: {r.spec_b.full_name}: ")


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
