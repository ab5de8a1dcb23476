"""Exports of the standard reports (issue 16): the .xlsx opens with openpyxl and carries the report's header row
and totals; the PDF is an A4 landscape annex with its title; a small export streams, a large one is produced in
the background with its progress and is downloadable by the person who asked only."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation
from openpyxl import load_workbook
from pypdf import PdfReader

from conftest import make_user
from dieuhanh.accounts.models import Role
from dieuhanh.kernel import zones
from dieuhanh.reports import exports, schedules, standard
from dieuhanh.reports.models import ReportRun
from dieuhanh.reports.testing import seed
from dieuhanh.units.models import Unit


@pytest.fixture
def world(org):
    today = timezone.localdate()
    seed(list(Unit.objects.all()), org.admin, per_unit=6, today=today, span_days=30)
    return org, today


def _params(org, kind, today, days=20):
    return standard.parse(org.leader_a, kind=kind, unit=org.a.pk, start=today - datetime.timedelta(days=days),
                          end=today)


@pytest.mark.parametrize("kind", list(standard.KINDS))
def test_the_xlsx_opens_with_the_header_row_and_totals(world, kind):
    org, today = world
    with translation.override("vi"):
        report = standard.build(org.leader_a, _params(org, kind, today))
        data = exports.to_xlsx(report)
    wb = load_workbook(io.BytesIO(data))
    assert len(wb.sheetnames) == len(report.sections)
    for ws, section in zip(wb.worksheets, report.sections, strict=True):
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        assert rows[0][0] == org.a.name.upper() and rows[1][0] == "PHỤ LỤC"
        assert rows[2][0] == report.title.upper()
        header = rows.index(section.columns)  # the header row, cell for cell
        assert rows[header + 1:header + 1 + len(section.rows)] == section.rows
        assert rows[-1] == section.totals


@pytest.mark.parametrize("kind", ["documents", "processing"])
def test_the_pdf_is_an_a4_landscape_annex_with_its_title(world, kind):
    org, today = world
    with translation.override("vi"):
        report = standard.build(org.leader_a, _params(org, kind, today))
        data = exports.to_pdf(report)
    pdf = PdfReader(io.BytesIO(data))
    box = pdf.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape, in points
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert "PHỤ LỤC" in text and report.title.upper() in text and org.a.name.upper() in text
    assert f"Từ ngày {(today - datetime.timedelta(days=20)):%d/%m/%Y}" in text
    assert "Total" in text or "Tổng" in text


def test_a_small_export_streams_from_the_page(world, client):
    org, today = world
    client.force_login(org.leader_a)
    start = today - datetime.timedelta(days=10)
    r = client.post("/reports/standard/export/", {"kind": "documents", "unit": org.a.pk, "start": start,
                                                  "end": today, "format": "xlsx"})
    assert r.status_code == 200 and r["Content-Type"] == exports.XLSX
    load_workbook(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content))
    r = client.post("/reports/standard/export/", {"kind": "documents", "unit": org.a.pk, "start": start,
                                                  "end": today, "format": "pdf"})
    assert r.status_code == 200 and r["Content-Type"] == exports.PDF
    r = client.post("/reports/standard/export/", {"kind": "documents", "unit": org.b.pk, "start": start,
                                                  "end": today, "format": "pdf"})
    assert r.status_code == 403
    r = client.post("/reports/standard/export/", {"kind": "documents", "unit": org.a.pk, "start": today,
                                                  "end": start, "format": "pdf"})
    assert r.status_code == 400 and 'class="error"' in r.content.decode()


def test_a_large_export_runs_in_the_background_with_progress(world, client, django_capture_on_commit_callbacks):
    org, today = world
    client.force_login(org.leader_a)
    start = today - datetime.timedelta(days=200)
    with django_capture_on_commit_callbacks(execute=True):
            r = client.post("/reports/standard/export/", {"kind": "tasks", "unit": org.a.pk, "start": start,
                                                      "end": today, "format": "xlsx"})
    run = ReportRun.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/reports/standard/runs/{run.pk}/"
    assert run.status == "done" and run.progress == 100  # the job ran inline (tests)
    page = client.get(r["Location"]).content.decode()
    assert 'id="run-bar"' in page and f"/reports/standard/runs/{run.pk}/file/?format=pdf" in page
    r = client.get(f"/reports/standard/runs/{run.pk}/file/?format=xlsx")
    assert r.status_code == 200
    load_workbook(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content))
    # someone else, even a leader of the same unit, does not get it
    client.force_login(make_user("leader.a2", org.a, Role.LEADER))
    assert client.get(f"/reports/standard/runs/{run.pk}/").status_code == 403
    assert client.get(f"/reports/standard/runs/{run.pk}/file/?format=xlsx").status_code == 403
    assert client.get("/reports/standard/runs/abc/").status_code == 403


def test_a_run_in_progress_shows_its_progress_and_polls(world, client):
    org, today = world
    run = ReportRun.objects.create(user=org.leader_a, unit=org.a, kind="documents", start=today, end=today,
                                   status="running", progress=60)
    client.force_login(org.leader_a)
    html = client.get(f"/reports/standard/runs/{run.pk}/progress/").content.decode()
    assert 'value="60"' in html and "hx-trigger" in html
    r = client.get(f"/reports/standard/runs/{run.pk}/file/?format=xlsx")
    assert r.status_code == 400


def test_the_api_queues_an_export_and_serves_its_files(world, api_client, django_capture_on_commit_callbacks):
    org, today = world
    api_client.as_user(org.leader_a)
    with django_capture_on_commit_callbacks(execute=True):
        r = api_client.post("/api/v1/reports/exports", {"kind": "exchange", "unit": org.a.pk,
                                                        "start": str(today - datetime.timedelta(days=30)),
                                                        "end": str(today)})
    assert r.status_code == 202, r.content
    body = r.json()
    status = api_client.get(f"/api/v1/reports/exports/{body['id']}").json()
    assert status["status"] == "done" and status["xlsx_url"].endswith("format=xlsx")
    assert api_client.get(status["pdf_url"]).status_code == 200
    r = api_client.post("/api/v1/reports/exports", {"kind": "exchange", "unit": org.b.pk, "start": str(today),
                                                    "end": str(today)})
    assert r.status_code == 403 and r.json()["errors"][0]["field"] == "unit"
    r = api_client.post("/api/v1/reports/exports", {"kind": "x", "unit": org.a.pk, "start": str(today),
                                                    "end": str(today)})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "kind"
    api_client.as_user(org.leader_b)
    assert api_client.get(f"/api/v1/reports/exports/{body['id']}").status_code == 403


def test_a_closed_network_export_is_not_served_to_the_internet(world, django_capture_on_commit_callbacks):
    org, today = world
    with django_capture_on_commit_callbacks(execute=True):
        run = schedules.start_run(actor=org.leader_a, params=_params(org, "documents", today))
    run.refresh_from_db()
    assert run.status == "done"
    with zones.in_zone(zones.INTERNET), translation.override("en"):
        with pytest.raises(PermissionDenied) as exc:
            schedules.file_of(org.leader_a, run.pk, "pdf")
    assert "closed network" in str(exc.value)
