"""Records over the REST API: the chain list -> file -> attach -> close -> deposit accepted, exports that open,
other units' people refused with nothing written, bad input answered 4xx naming the field."""

import io

import openpyxl
import pytest
from django.core.files.storage import default_storage
from pypdf import PdfReader

from dieuhanh.audit.models import AuditEvent
from dieuhanh.documents.testing import make_pdf
from dieuhanh.records.models import Deposit, FileItem, FileList, FileStatus, Loan, RecordFile


def pdf_text(content):
    assert content.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def xlsx_rows(content):
    """The data rows of an exported sheet: those after the column headings."""
    ws = openpyxl.load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    rows = [list(row) for row in ws.iter_rows(values_only=True)]
    start = next(i for i, row in enumerate(rows) if row and row[0] in ("STT", "Số và ký hiệu hồ sơ"))
    return rows[start + 1:]


def test_chain_over_the_api(records, api_client):
    r = records
    api = api_client.as_user(r.spec)
    res = api.post("/api/v1/records/lists", {"unit_id": r.org.a.pk, "year": r.year})
    assert res.status_code == 201, res.content
    list_id = res.json()["id"]
    section = api.post(f"/api/v1/records/lists/{list_id}/sections", {"title": "I. Tổ chức, cán bộ"}).json()
    res = api.post(f"/api/v1/records/lists/{list_id}/entries",
                   {"symbol": "01.TCCB", "title": "Hồ sơ điều động cán bộ", "retention_id": r.ten.pk,
                    "section_id": section["id"], "responsible_id": r.spec.pk})
    assert res.status_code == 201, res.content
    entry_id = res.json()["id"]
    assert api.post(f"/api/v1/records/lists/{list_id}/approve").status_code == 403
    api.as_user(r.org.leader_a)
    res = api.post(f"/api/v1/records/lists/{list_id}/approve")
    assert res.status_code == 200 and res.json()["status"] == "approved"

    # exports of the list open
    rows = xlsx_rows(api.get(f"/api/v1/records/lists/{list_id}/xlsx").content)
    assert rows[0][:2] == [None, "I. Tổ chức, cán bộ"]
    assert rows[1][:4] == ["01.TCCB", "Hồ sơ điều động cán bộ", "10 năm", "Trần Thu Hà"]
    text = pdf_text(api.get(f"/api/v1/records/lists/{list_id}/pdf").content)
    assert "DANH MỤC HỒ SƠ" in text and "01.TCCB" in text

    api.as_user(r.spec)
    res = api.post("/api/v1/records/files", {"unit_id": r.org.a.pk, "entry_id": entry_id})
    assert res.status_code == 201, res.content
    file = res.json()
    assert file["code"] == f"{r.org.a.code}.{r.year}.01.TCCB"
    docs = [r.issue(f"Văn bản {i}") for i in range(3)]
    work = api.get(f"/api/v1/records/workbench?unit_id={r.org.a.pk}&year={r.year}&limit=2").json()
    assert [d["id"] for d in work["items"]] == [docs[2].pk, docs[1].pk] and work["next_cursor"]
    assert api.get(f"/api/v1/records/progress?unit_id={r.org.a.pk}&year={r.year}").json()["percent"] == 0
    res = api.post(f"/api/v1/records/files/{file['id']}/documents", {"document_ids": [d.pk for d in docs]})
    assert res.status_code == 200 and [i["no"] for i in res.json()] == [1, 2, 3]
    assert api.get(f"/api/v1/records/progress?unit_id={r.org.a.pk}&year={r.year}").json()["percent"] == 100
    res = api.post(f"/api/v1/records/files/{file['id']}/close", {"title": "Hồ sơ điều động cán bộ",
                                                                 "retention_id": r.ten.pk})
    assert res.status_code == 200 and res.json()["status"] == "closed" and res.json()["document_count"] == 3
    rows = xlsx_rows(api.get(f"/api/v1/records/files/{file['id']}/documents.xlsx").content)
    assert rows[0][0] == 1 and rows[0][1] == docs[0].symbol and len(rows) == 3
    rows = xlsx_rows(api.get(f"/api/v1/records/files/index.xlsx?unit_id={r.org.a.pk}&year={r.year}").content)
    assert rows[0][1] == file["code"]

    res = api.post("/api/v1/records/deposits", {"unit_id": r.org.a.pk, "file_ids": [file["id"]],
                                                "collection_name": f"Hồ sơ năm {r.year}", "giver_name": "Trần Thu Hà",
                                                "giver_position": "Chuyên viên"})
    assert res.status_code == 201, res.content
    deposit_id = res.json()["id"]
    assert api.post(f"/api/v1/records/deposits/{deposit_id}/accept", {}).status_code == 403

    api.as_user(r.archivist)
    res = api.post(f"/api/v1/records/deposits/{deposit_id}/accept", {"receiver_position": "Lưu trữ viên"})
    assert res.status_code == 200 and res.json()["status"] == "accepted", res.content
    text = pdf_text(api.get(f"/api/v1/records/deposits/{deposit_id}/minutes.pdf").content)
    for expected in ("BIÊN BẢN", "Trần Thu Hà", "Chuyên viên", "Phạm Văn Lưu", "Lưu trữ viên",
                     f"Hồ sơ năm {r.year}", "1 hồ sơ, 3 văn bản", "MỤC LỤC HỒ SƠ"):
        assert expected in text, expected
    rows = xlsx_rows(api.get(f"/api/v1/records/deposits/{deposit_id}/index.xlsx").content)
    assert rows[0][1] == "01.TCCB"
    res = api.post(f"/api/v1/records/files/{file['id']}/loans", {"purpose": "Nghiên cứu", "borrower_name": "Ông A"})
    assert res.status_code == 201
    assert api.post(f"/api/v1/records/loans/{res.json()['id']}/return").status_code == 200
    assert len(api.get(f"/api/v1/records/loans?unit_id={r.org.a.pk}").json()["items"]) == 1

    # deposited: read-only to the unit
    api.as_user(r.spec)
    res = api.post(f"/api/v1/records/files/{file['id']}/documents", {"document_ids": [r.issue("Mới").pk]})
    assert res.status_code == 400 and res.json()["errors"][0]["field"] == "status"
    assert api.patch(f"/api/v1/records/files/{file['id']}", {"title": "x"}).status_code == 400
    assert api.delete(f"/api/v1/records/files/{file['id']}/documents/{docs[0].pk}").status_code == 400


def test_tampered_blob_refuses_acceptance_over_the_api(records, api_client):
    r = records
    file = r.closed_file()
    deposit = r.deposit(file)
    blob = file.items.get().document.files.get().blob
    with default_storage.open(blob.storage_name, "wb") as fh:
        fh.write(make_pdf("tampered"))
    res = api_client.as_user(r.archivist).post(f"/api/v1/records/deposits/{deposit.pk}/accept",
                                               {"receiver_position": "Lưu trữ viên"})
    assert res.status_code == 400
    error = res.json()["errors"][0]
    assert error["field"] == "files" and file.code in error["message"]
    deposit.refresh_from_db()
    assert deposit.status == "submitted" and RecordFile.objects.get(pk=file.pk).status == FileStatus.CLOSED


def test_other_units_staff_get_404_or_403_and_nothing_is_written(records, api_client):
    r = records
    file = r.closed_file()
    file_list = FileList.objects.get(unit=r.org.a)
    deposit = r.deposit(file)
    doc = r.issue("Khác")
    events = AuditEvent.objects.filter(action__startswith="records.").count()
    api = api_client.as_user(r.org.clerk_b)
    for url in (f"/api/v1/records/lists/{file_list.pk}", f"/api/v1/records/lists/{file_list.pk}/xlsx",
                f"/api/v1/records/lists/{file_list.pk}/pdf", f"/api/v1/records/files/{file.pk}",
                f"/api/v1/records/files/{file.pk}/documents", f"/api/v1/records/files/{file.pk}/documents.xlsx",
                f"/api/v1/records/deposits/{deposit.pk}", f"/api/v1/records/deposits/{deposit.pk}/minutes.pdf",
                f"/api/v1/records/lists?unit_id={r.org.a.pk}", f"/api/v1/records/files?unit_id={r.org.a.pk}",
                f"/api/v1/records/workbench?unit_id={r.org.a.pk}", f"/api/v1/records/progress?unit_id={r.org.a.pk}",
                f"/api/v1/records/files/index.xlsx?unit_id={r.org.a.pk}&year={r.year}"):
        assert api.get(url).status_code == 404, url
    for url, body in ((f"/api/v1/records/lists/{file_list.pk}/entries",
                       {"symbol": "09.X", "title": "x", "retention_id": r.ten.pk}),
                      (f"/api/v1/records/lists/{file_list.pk}/copy", {}),
                      (f"/api/v1/records/files/{file.pk}/documents", {"document_ids": [doc.pk]}),
                      (f"/api/v1/records/files/{file.pk}/close", {"title": "x", "retention_id": r.ten.pk}),
                      (f"/api/v1/records/deposits/{deposit.pk}/accept", {"receiver_position": "x"}),
                      ("/api/v1/records/files", {"unit_id": r.org.a.pk, "symbol": "09.X", "title": "x",
                                                 "retention_id": r.ten.pk}),
                      ("/api/v1/records/lists", {"unit_id": r.org.a.pk, "year": r.year + 1})):
        assert api.post(url, body).status_code == 404, url
    # B's archivist cannot accept A's deposit or lend A's files
    api.as_user(r.archivist_b)
    assert api.post(f"/api/v1/records/deposits/{deposit.pk}/accept", {"receiver_position": "x"}).status_code == 404
    # inside A, the wrong role gets 403
    api.as_user(r.org.leader_a)
    assert api.post(f"/api/v1/records/files/{file.pk}/reopen", {"reason": "x"}).status_code == 403
    assert api.post(f"/api/v1/records/deposits/{deposit.pk}/accept", {"receiver_position": "x"}).status_code == 403
    api.as_user(r.spec)
    assert api.post(f"/api/v1/records/files/{file.pk}/hold", {"hold": True, "reason": "x"}).status_code == 403
    assert AuditEvent.objects.filter(action__startswith="records.").count() == events
    assert FileList.objects.count() == 1 and RecordFile.objects.count() == 1 and FileItem.objects.count() == 1
    assert Deposit.objects.get().status == "submitted" and not Loan.objects.exists()


@pytest.mark.parametrize("url,body,field", [
    ("/api/v1/records/lists", {"unit_id": "x", "year": 2025}, "unit_id"),
    ("/api/v1/records/lists", {"unit_id": 1, "year": 1800}, "year"),
    ("/api/v1/records/files", {"unit_id": "A"}, "unit_id"),
])
def test_schema_errors_name_the_field(records, api_client, url, body, field):
    res = api_client.as_user(records.spec).post(url, body)
    assert res.status_code == 422 and res.json()["errors"][0]["field"] == field


def test_service_errors_name_the_field(records, api_client):
    r = records
    api = api_client.as_user(r.spec)
    list_id = api.post("/api/v1/records/lists", {"unit_id": r.org.a.pk, "year": r.year}).json()["id"]
    cases = [
        (f"/api/v1/records/lists/{list_id}/entries", {"symbol": "a b", "title": "x", "retention_id": r.ten.pk},
         "symbol"),
        (f"/api/v1/records/lists/{list_id}/entries", {"symbol": "01.A", "title": "x", "retention_id": 99999},
         "retention_id"),
        ("/api/v1/records/lists", {"unit_id": r.org.a.pk, "year": r.year}, "year"),
        ("/api/v1/records/files", {"unit_id": r.org.a.pk, "entry_id": 99999}, "entry_id"),
        ("/api/v1/records/files", {"unit_id": r.org.a.pk, "title": "x", "retention_id": r.ten.pk}, "symbol"),
        ("/api/v1/records/deposits", {"unit_id": r.org.a.pk, "file_ids": [99999], "collection_name": "x",
                                      "giver_name": "x", "giver_position": "x"}, "file_ids"),
    ]
    for url, body, field in cases:
        res = api.post(url, body)
        assert res.status_code == 400 and res.json()["errors"][0]["field"] == field, (url, res.content)
    file_id = api.post("/api/v1/records/files", {"unit_id": r.org.a.pk, "symbol": "01.X", "title": "x",
                                                 "retention_id": r.ten.pk}).json()["id"]
    res = api.post(f"/api/v1/records/files/{file_id}/documents", {"document_ids": [99999]})
    assert res.status_code == 400 and res.json()["errors"][0]["field"] == "document_ids"
    res = api.post(f"/api/v1/records/files/{file_id}/close", {"title": "x", "retention_id": r.ten.pk})
    assert res.status_code == 400 and res.json()["errors"][0]["field"] == "documents"
    res = api.get(f"/api/v1/records/workbench?unit_id={r.org.a.pk}&cursor=%%%")
    assert res.status_code == 400 and res.json()["errors"][0]["field"] == "cursor"
    api.as_user(r.archivist)
    res = api.post("/api/v1/records/decisions", {"unit_id": r.org.a.pk, "number": "1", "decided_on": "2025-01-01",
                                                 "members": [{"name": "A"}], "file_ids": [file_id]})
    assert res.status_code == 400 and res.json()["errors"][0]["field"] == "members"


def test_electronic_file_fields(records, api_client):
    """Every electronic file field (DOMAIN.md) is stored, given by the API and carried by the exports."""
    r = records
    api = api_client.as_user(r.spec)
    res = api.post("/api/v1/records/files", {"unit_id": r.org.a.pk, "symbol": "05.VP", "title": "Hồ sơ hội nghị",
                                             "retention_id": r.ten.pk, "description": "Tài liệu hội nghị tổng kết"})
    assert res.status_code == 201, res.content
    file = res.json()
    assert (file["creator"], file["access_regime"], file["language"]) == ("Trần Thu Hà", "Hạn chế", "Tiếng Việt")
    res = api.patch(f"/api/v1/records/files/{file['id']}", {"creator": "Lê Văn Lập", "access_regime": "Công khai"})
    assert res.status_code == 200 and res.json()["creator"] == "Lê Văn Lập"
    assert api.patch(f"/api/v1/records/files/{file['id']}", {"creator": "x" * 151}).status_code == 422
    doc = r.issue("Báo cáo tổng kết")
    api.post(f"/api/v1/records/files/{file['id']}/documents", {"document_ids": [doc.pk]})
    api.post(f"/api/v1/records/files/{file['id']}/close", {"title": "Hồ sơ hội nghị", "retention_id": r.ten.pk})
    rows = xlsx_rows(api.get(f"/api/v1/records/files/index.xlsx?unit_id={r.org.a.pk}&year={r.year}").content)
    assert rows[0][1] == file["code"] and rows[0][10:] == ["Công khai", "Lê Văn Lập", "Tiếng Việt",
                                                           "Tài liệu hội nghị tổng kết"]
    content = api.get(f"/api/v1/records/files/{file['id']}/documents.xlsx").content
    ws = openpyxl.load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    header = [row[0] for row in ws.iter_rows(values_only=True, max_row=12) if row]
    for expected in ("Người lập hồ sơ: Lê Văn Lập", "Chế độ sử dụng: Công khai", "Ngôn ngữ: Tiếng Việt",
                     "Số lượng văn bản: 1; số tờ: 1", "Mô tả: Tài liệu hội nghị tổng kết"):
        assert expected in header, expected
