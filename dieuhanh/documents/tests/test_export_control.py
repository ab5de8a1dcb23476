"""Issue 14, item 20: rows stored before the control-character rule (or written around it) never make an .xlsx
export fail: every export writes through one sanitizing cell writer (decision 0032)."""

import datetime
import io

import openpyxl
import pytest

from dieuhanh.documents.models import Document, Register
from dieuhanh.kernel.xlsx import append

from .conftest import doc_type

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(api_client, client):
    return api_client


def test_register_export_survives_control_characters_stored_in_rows(exchange, api):
    org = exchange.org
    api.as_user(org.clerk_b)
    body = {"document_type_id": doc_type("Công văn").pk, "issuer_name": "Bộ Nội vụ", "symbol": "5/BNV",
            "issued_on": str(datetime.date.today()), "subject": "Về việc sắp xếp"}
    assert api.post(f"/api/v1/units/{org.b.pk}/paper", body).status_code == 201
    # .update() bypasses the save rule, as rows stored before it did
    Document.objects.filter(symbol="5/BNV").update(subject="Về\x07 việc\x1f", issuer_name="Bộ\x01 Nội vụ")
    register = Register.objects.get(unit=org.b, kind="incoming", secret=False)
    Register.objects.filter(pk=register.pk).update(name="Sổ\x0b đến")
    r = api.get(f"/api/v1/registers/{register.pk}/export.xlsx")
    assert r.status_code == 200, r.content[:300]
    rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content))
                .active.iter_rows(values_only=True))
    assert rows[0][0] == "SỔ ĐẾN"
    assert rows[4][2] == "Bộ Nội vụ" and rows[4][5].endswith("Về việc")


def test_shared_cell_writer_keeps_tab_and_line_breaks_and_other_values():
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet()
    append(ws, ["a\tb\r\nc\x00\x1b", 3, None, datetime.date(2026, 1, 2)])
    buf = io.BytesIO()
    wb.save(buf)
    row = next(openpyxl.load_workbook(buf).active.iter_rows(values_only=True))
    assert row[0] == "a\tb\r\nc" and row[1] == 3 and row[2] is None and row[3].date() == datetime.date(2026, 1, 2)
