import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from dieuhanh.audit.models import AuditEvent
from dieuhanh.notifications.models import Notification
from dieuhanh.tasks import selectors, services
from dieuhanh.tasks.models import Recurrence, Report, Task


def assign(w, **kw):
    args = {"actor": w.org.leader_a, "unit": w.org.a, "title": "Tổng kết công tác năm 2026", "start_date": w.today,
            "deadline": w.soon, "unit_ids": [w.org.a1.pk, w.ad2.pk]}
    args.update(kw)
    return services.assign_task(**args)


def test_one_task_per_unit_and_notifications(work):
    tasks = assign(work)
    assert [t.executing_unit for t in tasks] == [work.org.a1, work.ad2]
    assert all(t.status == "not_started" for t in tasks)
    new = Notification.objects.get(unit=work.ad2, msgid="New task: %(title)s (deadline %(deadline)s)")
    assert new.params == {"title": tasks[1].title, "deadline": f"{tasks[1].deadline:%d/%m/%Y}"}
    with translation.override("en"):
        assert new.text().startswith("New task: ")
    with translation.override("vi"):
        assert new.text().startswith("Nhiệm vụ mới: ")
    assert AuditEvent.objects.filter(action="task.assign").count() == 2


def test_task_to_a_person_with_co_handlers(work):
    (task,) = assign(work, unit_ids=[], lead_user_id=work.spec_ad2.pk,
                     co_handlers=[{"unit_id": work.org.a1.pk}, {"user_id": work.head_ad2.pk}])
    assert task.lead_user == work.spec_ad2 and task.executing_unit == work.ad2
    assert task.co_handlers.count() == 2
    assert list(selectors.tasks_for(work.spec_ad2, "open")) == [task]
    assert list(selectors.tasks_for(work.head_ad2, "open")) == []  # a person's task is theirs alone


def test_two_stage_approval_of_completion(work):
    (task,) = assign(work, unit_ids=[work.ad2.pk])
    services.submit_report(actor=work.spec_ad2, task=task, kind="progress", percent=40, text="Đã xong dự thảo")
    task.refresh_from_db()
    assert (task.status, task.percent_done) == ("in_progress", 40)
    report = services.submit_report(actor=work.spec_ad2, task=task, kind="complete", text="Hoàn thành báo cáo")
    assert report.stage == "awaiting_unit_leader" and Task.objects.get(pk=task.pk).status == "completed_awaiting"
    assert list(selectors.tasks_for(work.head_ad2, "awaiting_my_approval")) == [task]
    with pytest.raises(PermissionDenied):
        services.decide_report(actor=work.org.leader_a, report=report, approve=True)  # stage one is the unit's
    services.decide_report(actor=work.head_ad2, report=report, approve=True)
    assert Report.objects.get(pk=report.pk).stage == "awaiting_assigner"
    assert list(selectors.tasks_for(work.org.leader_a, "awaiting_my_approval")) == [task]
    services.decide_report(actor=work.org.leader_a, report=report, approve=True)
    task.refresh_from_db()
    assert (task.status, task.percent_done) == ("completed", 100) and task.completed_at
    with pytest.raises(ValidationError):
        services.submit_report(actor=work.spec_ad2, task=task, kind="progress", percent=100, text="x")


def test_refusal_returns_to_in_progress_and_closing(work):
    (task,) = assign(work, unit_ids=[work.ad2.pk])
    report = services.submit_report(actor=work.head_ad2, task=task, kind="propose_close", text="Không còn cần")
    assert report.stage == "awaiting_assigner"  # the unit's leader reported: stage one is done
    services.decide_report(actor=work.org.leader_a, report=report, approve=False, note="Vẫn cần")
    assert Task.objects.get(pk=task.pk).status == "in_progress"
    report = services.submit_report(actor=work.head_ad2, task=task, kind="propose_close", text="Lần hai")
    services.decide_report(actor=work.org.leader_a, report=report, approve=True)
    assert Task.objects.get(pk=task.pk).status == "closed"


def test_extensions_are_limited(work, settings):
    settings.DIEUHANH_MAX_EXTENSIONS = 1
    (task,) = assign(work, unit_ids=[work.ad2.pk])
    with pytest.raises(ValidationError) as exc:
        services.submit_report(actor=work.head_ad2, task=task, kind="propose_extension", text="x",
                               proposed_deadline=work.soon + datetime.timedelta(days=31))
    assert "proposed_deadline" in exc.value.message_dict
    report = services.submit_report(actor=work.head_ad2, task=task, kind="propose_extension", text="Chờ số liệu",
                                    proposed_deadline=work.soon + datetime.timedelta(days=10))
    services.decide_report(actor=work.org.leader_a, report=report, approve=True)
    task.refresh_from_db()
    assert task.deadline == work.soon + datetime.timedelta(days=10) and task.extensions == 1
    with pytest.raises(ValidationError):
        services.submit_report(actor=work.head_ad2, task=task, kind="propose_extension", text="Lần nữa",
                               proposed_deadline=task.deadline + datetime.timedelta(days=5))


def test_subtasks_stay_within_the_parent(work):
    (parent,) = assign(work, unit_ids=[work.ad2.pk])
    with pytest.raises(ValidationError) as exc:
        services.create_subtask(actor=work.head_ad2, parent=parent, title="Phần việc", start_date=work.today,
                                deadline=work.soon + datetime.timedelta(days=1), lead_user_id=work.spec_ad2.pk)
    assert "deadline" in exc.value.message_dict
    (sub,) = services.create_subtask(actor=work.head_ad2, parent=parent, title="Phần việc", start_date=work.today,
                                     deadline=work.soon, lead_user_id=work.spec_ad2.pk)
    assert sub.parent == parent and sub.assigning_unit == work.ad2 and sub.origin == "task"


@pytest.mark.parametrize("case", ["past", "outside", "person_outside", "not_leader", "no_target", "dates"])
def test_bad_assignments_change_nothing(work, case):
    kwargs = {
        "past": {"deadline": work.today - datetime.timedelta(days=1)},
        "outside": {"unit_ids": [work.org.b1.pk]},
        "person_outside": {"unit_ids": [], "lead_user_id": work.org.clerk_b.pk},
        "not_leader": {"actor": work.spec_ad2},
        "no_target": {"unit_ids": []},
        "dates": {"start_date": work.soon + datetime.timedelta(days=1)},
    }[case]
    before = (Task.objects.count(), AuditEvent.objects.count())
    with pytest.raises((ValidationError, PermissionDenied)):
        assign(work, **kwargs)
    assert (Task.objects.count(), AuditEvent.objects.count()) == before


def test_acting_on_someone_elses_task(work):
    (task,) = assign(work, unit_ids=[work.ad2.pk])
    for outsider in (work.org.clerk_b, work.leader_a1):
        with pytest.raises(PermissionDenied):
            services.submit_report(actor=outsider, task=task, kind="progress", percent=10, text="x")
    assert not Report.objects.exists()


def test_recurring_tasks_are_generated_once(work):
    recurrence = services.create_recurrence(actor=work.org.leader_a, unit=work.org.a, title="Báo cáo tuần",
                                            frequency="weekly", first_run=work.today, executing_unit=work.ad2)
    assert services.generate_recurring(work.today) == 1
    assert services.generate_recurring(work.today) == 0
    assert services.generate_recurring(work.today + datetime.timedelta(days=14)) == 2
    assert Task.objects.filter(recurrence=recurrence).count() == 3
    assert Recurrence.objects.get(pk=recurrence.pk).next_run == work.today + datetime.timedelta(days=21)
    assert services.next_date(datetime.date(2026, 1, 31), "monthly") == datetime.date(2026, 2, 28)
    assert services.next_date(datetime.date(2026, 11, 30), "quarterly") == datetime.date(2027, 2, 28)


def test_reminders_once_and_escalation(work):
    (task,) = assign(work, unit_ids=[work.ad2.pk], deadline=work.today)
    Notification.objects.all().delete()
    assert services.send_reminders(work.today) == 1 and services.send_reminders(work.today) == 0
    assert Notification.objects.filter(unit=work.ad2, msgid="Due today: %(subject)s").exists()
    assert services.send_reminders(work.today + datetime.timedelta(days=1)) == 1
    overdue = Notification.objects.get(user=work.org.leader_a, msgid__startswith="Overdue")
    with translation.override("en"):
        assert overdue.text() == f"Overdue since {work.today:%d/%m/%Y}: {task.title} ({task.executor_name})"


def test_counters_and_tracker(work):
    tasks = assign(work)
    counts = selectors.counters(work.spec_ad2)
    assert counts["open"] == len(list(selectors.tasks_for(work.spec_ad2, "open"))) == 1
    Task.objects.filter(pk=tasks[0].pk).update(start_date=work.today - datetime.timedelta(days=3),
                                               deadline=work.today - datetime.timedelta(days=1))
    rows = {r["executor"]: r for r in selectors.tracker(work.org.a, work.today - datetime.timedelta(days=5),
                                                        work.soon)}
    assert rows[work.org.a1.name]["open_overdue"] == 1 and rows[work.ad2.name]["open_on_time"] == 1
    items = list(selectors.tracker_items(work.org.a, work.today - datetime.timedelta(days=5), work.soon,
                                         "open_overdue", executing_unit_id=work.org.a1.pk))
    assert [t.pk for t in items] == [tasks[0].pk]


def test_co_handling_unit_and_person_see_the_task_in_a_list_and_counter(work, client, api_client):
    """Issue 14 item 15: a task's co-handling unit never saw the task in any list or counter."""
    from dieuhanh.site.home import counters as home_counters

    (task,) = assign(work, unit_ids=[work.ad2.pk], co_handlers=[{"unit_id": work.org.a1.pk}])
    (person_task,) = assign(work, unit_ids=[], lead_user_id=work.spec_ad2.pk, title="Báo cáo chuyên đề",
                            co_handlers=[{"user_id": work.head_ad2.pk}])
    assert list(selectors.tasks_for(work.leader_a1, "co_handling")) == [task]
    assert selectors.counters(work.leader_a1)["co_handling"] == 1
    assert list(selectors.tasks_for(work.head_ad2, "co_handling")) == [person_task]
    # not counted twice: the executing unit's people find it under their own tasks, not as co-handlers
    assert list(selectors.tasks_for(work.spec_ad2, "co_handling")) == []
    assert any(row[2] == 1 and "kind=co_handling" in row[3] for row in home_counters(work.leader_a1))
    api = api_client.as_user(work.leader_a1)
    page = api.get("/api/v1/tasks", QUERY_STRING="kind=co_handling").json()
    assert [t["id"] for t in page["items"]] == [task.pk]
    assert api.get("/api/v1/tasks/counters").json()["co_handling"] == 1
    client.force_login(work.leader_a1)
    assert task.title in client.get("/tasks/?kind=co_handling").content.decode()
    # a closed task leaves the list
    Task.objects.filter(pk=task.pk).update(status="closed")
    assert selectors.counters(work.leader_a1)["co_handling"] == 0
