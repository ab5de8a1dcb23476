import io

import pytest
from openpyxl import Workbook

from conftest import PASSWORD
from dieuhanh.projects.models import Project

pytestmark = pytest.mark.django_db

BODY = {"code": "API-1", "name": "Phần mềm quản lý đảng viên", "level": "commune", "kind": "software",
        "functions": ["member-management"], "starts_on": "2026-01-01", "ends_on": "2026-12-31",
        "budget_amount": "100000000", "currency": "VND"}


@pytest.mark.parametrize(("field", "value"), [
    ("budget_amount", "-5"), ("currency", "ABC"), ("ends_on", "2025-01-01"), ("functions", ["nope"]),
])
def test_api_bad_input_400_names_field(reg, api_client, field, value):
    api = api_client.as_user(reg.org.spec_a1)
    r = api.post("/api/v1/projects", {**BODY, "unit_id": reg.org.a1.pk, field: value})
    assert r.status_code == 400, r.content
    assert field in [e["field"] for e in r.json()["errors"]]


def test_api_unit_not_mine(reg, api_client):
    r = api_client.as_user(reg.org.spec_a1).post("/api/v1/projects", {**BODY, "unit_id": reg.org.b.pk})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "unit_id"


def test_api_flow_end_to_end(reg, api_client):
    org = reg.org
    api = api_client.as_user(org.spec_a1)
    r = api.post("/api/v1/projects", {**BODY, "unit_id": org.a1.pk})
    assert r.status_code == 201, r.content
    pid = r.json()["id"]
    assert api.post(f"/api/v1/projects/{pid}/submit", {}).json()["status"] == "under_review"
    assert api.get(f"/api/v1/projects/{pid}/candidates").status_code == 200
    rev = api_client.as_user(reg.spec_a)
    r = rev.post(f"/api/v1/projects/{pid}/assessments", {"verdict": "not_duplicate", "reason": "Không trùng"})
    assert r.status_code == 201, r.content
    assert rev.post(f"/api/v1/projects/{pid}/opinion", {"text": "Đồng ý"}).status_code == 200
    lead = api_client.as_user(org.leader_a)
    assert lead.post(f"/api/v1/projects/{pid}/decision", {"approve": True}).json()["status"] == "approved"
    api = api_client.as_user(org.spec_a1)
    r = api.post(f"/api/v1/projects/{pid}/status", {"status": "accepted"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "status"
    assert api.post(f"/api/v1/projects/{pid}/status", {"status": "in_progress"}).json()["status"] == "in_progress"
    assert api.get("/api/v1/projects/report").json()["by_status"] == [{"status": "in_progress", "n": 1}]


def _book(rows):
    wb = Workbook()
    wb.active.append(["code", "name", "unit_code", "level", "kind", "functions", "budget_amount", "currency",
                      "starts_on", "ends_on"])
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "p.xlsx"
    return out


@pytest.mark.parametrize("good_rows_only", [False, True])
def test_import_modes(reg, client, good_rows_only):
    org = reg.org
    client.login(username="spec.a1", password=PASSWORD)
    rows = [["X-1", "Hệ thống một cửa", org.a1.code, "commune", "software", "public-services", 1000, "VND",
             "2026-01-01", "2026-06-30"],
            ["X-2", "Phần mềm âm", org.a1.code, "commune", "software", "public-services", -1, "VND",
             "2026-01-01", "2026-06-30"],
            ["X-3", "Của đơn vị khác", org.b1.code, "commune", "software", "nope", 1, "VND",
             "2026-01-01", "2026-06-30"]]
    r = client.post("/projects/import/", {"file": _book(rows), "mode": "good_rows" if good_rows_only else "all"})
    assert r.status_code == (200 if good_rows_only else 400)
    report = r.context["result"]
    assert [row["ok"] for row in report["rows"]] == [good_rows_only, False, False]
    assert {e["field"] for e in report["rows"][1]["errors"]} == {"budget_amount"}
    assert {e["field"] for e in report["rows"][2]["errors"]} >= {"unit_id", "functions"}
    assert list(Project.objects.values_list("code", flat=True)) == (["X-1"] if good_rows_only else [])


def test_pages(reg, client):
    p = reg.project()
    client.login(username="spec.a1", password=PASSWORD)
    for url in ("/projects/", "/projects/new/", f"/projects/{p.pk}/", "/projects/report/", "/projects/import/"):
        assert client.get(url).status_code == 200, url
    assert client.get("/projects/report/?format=pdf").content[:5] == b"%PDF-"
    r = client.post("/projects/new/", {"code": "N-1", "name": "A", "unit_id": reg.org.a1.pk, "level": "commune",
                                       "kind": "software", "functions": ["email"], "budget_amount": "-3",
                                       "currency": "VND", "starts_on": "2026-01-01", "ends_on": "2026-02-01"})
    assert r.status_code == 400 and "budget_amount" in r.context["errors"]
    client.post(f"/projects/{p.pk}/", {"action": "submit"})
    client.logout()
    client.login(username="spec.a", password=PASSWORD)
    r = client.post(f"/projects/{p.pk}/", {"action": "assess", "verdict": "duplicate", "reason": "x"})
    assert r.status_code == 400 and "reuse_id" in r.context["errors"]
