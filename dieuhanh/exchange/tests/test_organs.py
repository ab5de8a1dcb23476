"""The directory of outside organs: admin-managed, imported from .xlsx with a row report, offered by the pickers."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from openpyxl import Workbook

from dieuhanh.audit.models import AuditEvent
from dieuhanh.documents.forms import OutgoingForm
from dieuhanh.exchange import organs
from dieuhanh.exchange.models import Organ


def _xlsx(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_admin_adds_and_changes_an_organ(ex):
    org = ex.org
    organ = organs.save_organ(actor=org.admin, data={"code": "000.00.01.h27", "name": "UBND tỉnh Bắc Ninh",
                                                     "email": "vt@bacninh.gov.vn"})
    assert organ.code == "000.00.01.H27" and organ.channel == "gateway"
    with pytest.raises(ValidationError) as err:
        organs.save_organ(actor=org.admin, data={"code": "000.00.01.H27", "name": "Trùng"})
    assert "code" in err.value.message_dict
    organs.save_organ(actor=org.admin, organ=organ, data={"code": "000.00.01.H27", "name": "UBND Bắc Ninh",
                                                         "channel": "email"})
    organ.refresh_from_db()
    assert organ.name == "UBND Bắc Ninh" and organ.channel == "email"
    assert AuditEvent.objects.filter(action__in=["organ.create", "organ.update"]).count() == 2


def test_only_system_admins_manage_the_directory(ex):
    with pytest.raises(PermissionDenied):
        organs.save_organ(actor=ex.org.clerk_a, data={"code": "000.00.01.H27", "name": "x"})


def test_bad_fields_are_named(ex):
    with pytest.raises(ValidationError) as err:
        organs.save_organ(actor=ex.org.admin, data={"code": "abc", "name": "", "email": "nope", "channel": "fax"})
    assert set(err.value.message_dict) == {"code", "name", "email", "channel"}


def test_import_xlsx_reports_refused_rows_and_loads_the_rest(ex):
    Organ.objects.create(code="000.00.02.H27", name="Cũ")
    data = _xlsx([
        ["Mã", "Mã cấp trên", "Tên cơ quan", "Địa chỉ", "Email", "Điện thoại", "Kênh"],
        ["000.00.01.H27", "", "UBND tỉnh Bắc Ninh", "Số 10", "vt@bacninh.gov.vn", "0222", "Trục"],
        ["000.00.02.H27", "000.00.01.H27", "Sở Tài chính", "", "", "", "giấy"],
        ["sai-ma", "", "Không hợp lệ", "", "", "", ""],
        ["000.00.01.H27", "", "Lặp lại", "", "", "", ""],
        [None, None, None, None, None, None, None],
        ["000.00.03.H27", "", "", "", "", "", ""],
    ])
    with translation.override("en"):
        report = organs.import_organs(actor=ex.org.admin, data=data)
    assert (report.created, report.updated) == (1, 1)
    assert [(r["row"], r["field"]) for r in report.refused] == [(4, "code"), (5, "code"), (7, "name")]
    assert Organ.objects.get(code="000.00.02.H27").channel == "paper"
    assert Organ.objects.get(code="000.00.01.H27").channel == "gateway"


def test_import_refuses_a_file_that_is_not_a_workbook(ex):
    with pytest.raises(ValidationError) as err:
        organs.import_organs(actor=ex.org.admin, data=b"not a workbook")
    assert "file" in err.value.message_dict
    with pytest.raises(ValidationError):
        organs.import_organs(actor=ex.org.admin, data=_xlsx([["foo", "bar"], ["1", "2"]]))


def test_the_recipient_picker_offers_the_directory(ex):
    org = ex.org
    Organ.objects.create(code="000.00.01.H27", name="UBND tỉnh Bắc Ninh")
    Organ.objects.create(code="000.00.09.H27", name="Đã giải thể", active=False)
    form = OutgoingForm(unit=org.a)
    assert [c for c, _n in form.fields["organs"].choices] == ["000.00.01.H27"]
    form = OutgoingForm({"subject": "x", "organs": ["000.00.01.H27"], "urgency": 0, "confidentiality": 0,
                         "page_count": 1, "document_type": form.fields["document_type"].queryset.first().pk},
                        unit=org.a)
    assert form.is_valid(), form.errors
    assert {"external_code": "000.00.01.H27", "name": "UBND tỉnh Bắc Ninh", "channel": "gateway"} in \
        form.recipient_list()
