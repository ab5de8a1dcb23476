"""Scheduled standard reports (issue 16): a leader schedules a report of a unit they read; the periodic job
produces the period before (xlsx and PDF) and notifies them with a link; bad input names its field."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook
from pypdf import PdfReader

from dieuhanh.accounts.models import Membership
from dieuhanh.notifications.models import Notification
from dieuhanh.reports import jobs, schedules
from dieuhanh.reports.models import ReportRun, ReportSchedule


def test_periods_before_a_day():
    wednesday = datetime.date(2026, 3, 4)
    assert schedules.period_before("weekly", wednesday) == (datetime.date(2026, 2, 23), datetime.date(2026, 3, 1))
    assert schedules.period_before("monthly", wednesday) == (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
    assert schedules.next_run_after("weekly", wednesday) == datetime.date(2026, 3, 9)
    assert schedules.next_run_after("monthly", datetime.date(2026, 12, 31)) == datetime.date(2027, 1, 1)


def test_the_job_produces_the_files_and_notifies_the_leader(org):
    s = schedules.create_schedule(actor=org.leader_a, kind="processing", unit=org.a, frequency="monthly")
    assert s.next_run > datetime.date.today()
    ReportSchedule.objects.filter(pk=s.pk).update(next_run=datetime.date.today())
    counts = jobs.run_report_schedules.call_local()
    assert counts == {"produced": 1, "stopped": 0}
    run = ReportRun.objects.get(schedule=s)
    assert run.status == "done" and (run.start, run.end) == schedules.period_before("monthly", datetime.date.today())
    load_workbook(io.BytesIO(bytes(run.xlsx)))
    assert "PHỤ LỤC" in PdfReader(io.BytesIO(bytes(run.pdf))).pages[0].extract_text()
    note = Notification.objects.get(user=org.leader_a)
    assert note.link == f"/reports/standard/runs/{run.pk}/"
    s.refresh_from_db()
    assert s.next_run > datetime.date.today()
    assert jobs.run_report_schedules.call_local() == {"produced": 0, "stopped": 0}  # not due again today


def test_a_leader_who_lost_the_unit_is_told_the_schedule_stopped(org):
    s = schedules.create_schedule(actor=org.leader_a, kind="tasks", unit=org.a1, frequency="weekly")
    ReportSchedule.objects.filter(pk=s.pk).update(next_run=datetime.date.today())
    Membership.objects.filter(user=org.leader_a).delete()
    from dieuhanh.accounts.policy import forget
    forget(org.leader_a)
    assert jobs.run_report_schedules.call_local() == {"produced": 0, "stopped": 1}
    assert not ReportRun.objects.exists()
    assert not ReportSchedule.objects.get(pk=s.pk).active
    assert Notification.objects.filter(user=org.leader_a).count() == 1


def test_bad_schedules_are_refused_naming_the_field(org):
    with pytest.raises(ValidationError) as exc:
        schedules.create_schedule(actor=org.leader_a, kind="budget", unit=org.a, frequency="daily")
    assert set(exc.value.message_dict) == {"kind", "frequency"}
    with pytest.raises(PermissionDenied):
        schedules.create_schedule(actor=org.leader_a, kind="tasks", unit=org.b, frequency="weekly")
    with pytest.raises(PermissionDenied):
        schedules.create_schedule(actor=org.spec_a1, kind="tasks", unit=org.a1, frequency="weekly")
    assert not ReportSchedule.objects.exists()


def test_schedules_over_the_api_and_the_page(org, api_client, client):
    api_client.as_user(org.leader_a)
    r = api_client.post("/api/v1/reports/schedules", {"kind": "exchange", "unit": org.a.pk, "frequency": "weekly"})
    assert r.status_code == 201, r.content
    sid = r.json()["id"]
    assert [s["id"] for s in api_client.get("/api/v1/reports/schedules").json()] == [sid]
    r = api_client.post("/api/v1/reports/schedules", {"kind": "exchange", "unit": org.b.pk, "frequency": "weekly"})
    assert r.status_code == 403 and r.json()["errors"][0]["field"] == "unit"
    r = api_client.post("/api/v1/reports/schedules", {"kind": "exchange", "unit": 10**30, "frequency": "weekly"})
    assert r.status_code in (400, 422)
    r = api_client.post("/api/v1/reports/schedules", {"kind": "exchange", "unit": org.a.pk, "frequency": "hourly"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "frequency"
    api_client.as_user(org.leader_b)
    assert api_client.delete(f"/api/v1/reports/schedules/{sid}").status_code == 403
    api_client.as_user(org.leader_a)
    assert api_client.delete(f"/api/v1/reports/schedules/{sid}").status_code == 204
    client.force_login(org.leader_a)
    today = datetime.date.today()
    r = client.post("/reports/standard/schedule/", {"kind": "documents", "unit": org.a.pk, "start": today,
                                                    "end": today, "frequency": "monthly"})
    assert r.status_code == 302
    page = client.get(r["Location"]).content.decode()
    assert 'id="schedules"' in page
    s = ReportSchedule.objects.get(active=True)
    assert client.post(f"/reports/standard/schedule/{s.pk}/cancel/").status_code == 302
    assert not ReportSchedule.objects.filter(active=True).exists()
