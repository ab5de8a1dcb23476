"""Registers exported to .xlsx in the column layout of the paper books (streamed, constant memory)."""

from openpyxl import Workbook

from dieuhanh.kernel.xlsx import append

from .models import IncomingEntry, OutgoingEntry, RegisterKind
from .policy import cleared_q
from .storage import download_response

OUTGOING_COLUMNS = [
    "Số, ký hiệu văn bản", "Ngày tháng văn bản", "Tên loại và trích yếu nội dung", "Người ký",
    "Nơi nhận văn bản", "Đơn vị, người nhận bản lưu", "Số lượng bản", "Ngày chuyển", "Ký nhận", "Ghi chú",
]
INCOMING_COLUMNS = [
    "Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu", "Ngày tháng", "Tên loại và trích yếu nội dung",
    "Đơn vị hoặc người nhận", "Ngày chuyển", "Ký nhận", "Ghi chú",
]


def _date(value):
    return value.strftime("%d/%m/%Y") if value else ""


def outgoing_rows(register, user=None):
    qs = OutgoingEntry.objects.filter(register=register).order_by("id")
    if user is not None:  # a person's download holds only the rows they are cleared for (issue 14, item 3)
        qs = qs.filter(cleared_q(user, "document__"))
    for e in qs.iterator(chunk_size=2000):
        notes = e.notes or ("Đã hủy" if e.cancelled else "")
        yield [e.symbol, _date(e.issued_on), e.type_and_subject, e.signer, e.recipients, e.file_keeper, e.copies,
               _date(e.sent_on), "", notes]


def incoming_rows(register, user=None):
    qs = (IncomingEntry.objects.filter(register=register).select_related("document", "document__document_type")
          .order_by("arrival_number"))
    if user is not None:
        qs = qs.filter(cleared_q(user, "document__"))
    for e in qs.iterator(chunk_size=2000):
        d = e.document
        notes = "; ".join(filter(None, [e.notes, "Đã thu hồi" if e.recalled_at else "",
                                        "Bản giấy" if e.origin == "paper" else ""]))
        yield [_date(e.arrived_on), e.arrival_number, d.issuer_name, d.symbol, _date(d.issued_on),
               f"{d.document_type.name}: {d.subject}", e.handler, _date(e.passed_on), "", notes]


def write_register_xlsx(register, fileobj, progress=None, user=None):
    """Write ``register`` as an .xlsx workbook to ``fileobj``; ``progress(rows_done)`` is called every 1000 rows."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=str(register.year))
    append(ws, [register.name.upper()])
    append(ws, [register.unit.name])
    append(ws, [])
    outgoing = register.kind == RegisterKind.OUTGOING
    append(ws, OUTGOING_COLUMNS if outgoing else INCOMING_COLUMNS)
    rows = outgoing_rows(register, user) if outgoing else incoming_rows(register, user)
    for i, row in enumerate(rows, 1):
        append(ws, row)
        if progress and i % 1000 == 0:
            progress(i)
    wb.save(fileobj)


def filename(register):
    kind = "so-di" if register.kind == RegisterKind.OUTGOING else "so-den"
    secret = "-mat" if register.secret else ""
    return f"{kind}{secret}-{register.unit.code}-{register.year}.xlsx"




def xlsx_response(register, user):
    """An HTTP download of ``register`` as .xlsx (pages and API alike), of the rows ``user`` is cleared for."""
    import io

    buf = io.BytesIO()
    write_register_xlsx(register, buf, user=user)
    return download_response(buf.getvalue(), filename=filename(register),
                             content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
