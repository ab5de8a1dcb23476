"""Records exported in the usual layouts: the file list, the index of documents in a file, the index of files
and the deposit index as .xlsx; the file list and the handover minutes (biên bản giao nhận) as PDF.

Office forms are always in Vietnamese, whatever the reader's interface language.
"""

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from openpyxl import Workbook
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from dieuhanh.documents.storage import download_response
from dieuhanh.kernel.pdf import long_date, styles
from dieuhanh.kernel.text import cell
from dieuhanh.kernel.xlsx import append

from . import selectors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

LIST_COLUMNS = ["Số và ký hiệu hồ sơ", "Tên đề mục và tiêu đề hồ sơ", "Thời hạn bảo quản",
                "Đơn vị/người lập hồ sơ", "Ghi chú"]
DOC_INDEX_COLUMNS = ["STT", "Số, ký hiệu văn bản", "Ngày tháng văn bản", "Tên loại và trích yếu nội dung",
                     "Tác giả văn bản", "Tờ số", "Ghi chú"]
# The index's usual columns, then the remaining electronic file fields (DOMAIN.md), so the sheet carries every
# field of the file's metadata.
FILE_INDEX_COLUMNS = ["STT", "Mã hồ sơ", "Số và ký hiệu hồ sơ", "Tiêu đề hồ sơ", "Thời gian bắt đầu",
                      "Thời gian kết thúc", "Thời hạn bảo quản", "Số lượng văn bản", "Số tờ", "Ghi chú",
                      "Chế độ sử dụng", "Người lập hồ sơ", "Ngôn ngữ", "Mô tả"]
DEPOSIT_COLUMNS = ["STT", "Số và ký hiệu hồ sơ", "Tiêu đề hồ sơ", "Thời gian tài liệu", "Thời hạn bảo quản",
                   "Số tờ", "Ghi chú"]


def _d(value):
    return value.strftime("%d/%m/%Y") if value else ""


def _span(start, end):
    if not start:
        return ""
    return _d(start) if start == end else f"{_d(start)} - {_d(end)}"


def _xlsx(title, header, columns, rows):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=cell(title)[:31])
    for line in header:
        append(ws, [line])
    append(ws, [])
    append(ws, columns)
    for row in rows:
        append(ws, row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def download(data, filename, content_type=XLSX):
    return download_response(data, filename=filename, content_type=content_type)


# --- file list -------------------------------------------------------------------------------------------------

def _list_rows(file_list):
    for section, entries in selectors.sections_with_entries(file_list):
        if section is not None:
            yield ["", section.title, "", "", ""]
        for e in entries:
            yield [e.symbol, e.title, e.retention.label, e.responsible_name, e.notes]


def file_list_xlsx(file_list):
    header = [file_list.unit.name.upper(), f"DANH MỤC HỒ SƠ NĂM {file_list.year}",
              f"(Ban hành kèm theo … ngày {_d(file_list.approved_at)})" if file_list.approved_at else "(Dự thảo)"]
    return _xlsx(str(file_list.year), header, LIST_COLUMNS, _list_rows(file_list))


def _pdf(story, title, pagesize=A4):
    buf = io.BytesIO()
    pdf = SimpleDocTemplate(buf, pagesize=pagesize, leftMargin=20 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=title)
    pdf.build(story)
    return buf.getvalue()


def _p(text, style="base"):
    return Paragraph(escape(str(text or "")), styles()[style])


GRID = TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                   ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)])


def _heading(unit):
    return Table([[_p(unit.name.upper(), "bold"), _p("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "bold")],
                  [_p(""), _p("Độc lập - Tự do - Hạnh phúc", "center")],
                  [_p(""), _p(f"{long_date(timezone.localdate())}", "small")]],
                 colWidths=[85 * mm, 90 * mm])


def file_list_pdf(file_list):
    story = [_heading(file_list.unit), _p(f"DANH MỤC HỒ SƠ NĂM {file_list.year}", "title")]
    if file_list.approved_at:
        story.append(_p(f"Đã duyệt ngày {_d(timezone.localtime(file_list.approved_at))}, "
                        f"người duyệt: {file_list.approved_by.full_name}", "center"))
    else:
        story.append(_p("(Dự thảo)", "center"))
    rows = [[_p(c, "bold") for c in LIST_COLUMNS]]
    for row in _list_rows(file_list):
        rows.append([_p(c, "bold" if not row[0] and i == 1 else "small") for i, c in enumerate(row)])
    story += [Spacer(1, 5 * mm), Table(rows, colWidths=[25 * mm, 70 * mm, 25 * mm, 35 * mm, 25 * mm],
                                       repeatRows=1, style=GRID)]
    return _pdf(story, f"Danh mục hồ sơ {file_list.year}")


# --- indexes ---------------------------------------------------------------------------------------------------

def _doc_rows(file):
    for n, item in enumerate(selectors.items_of(file), 1):
        d = item.document
        yield [n, d.symbol, _d(item.doc_date), f"{d.document_type.name}: {d.subject}", d.issuer_name,
               d.page_count, item.notes]


def file_index_xlsx(file):
    header = [file.unit.name.upper(), "MỤC LỤC VĂN BẢN", f"Mã hồ sơ: {file.code}", f"Tiêu đề: {file.title}",
              f"Thời hạn bảo quản: {file.retention.label}", f"Chế độ sử dụng: {file.access_regime}",
              f"Người lập hồ sơ: {file.creator}", f"Ngôn ngữ: {file.language}",
              f"Thời gian: {_span(file.start_date, file.end_date)}",
              f"Số lượng văn bản: {file.document_count}; số tờ: {file.page_count}"]
    if file.description:
        header.append(f"Mô tả: {file.description}")
    return _xlsx("Muc luc", header, DOC_INDEX_COLUMNS, _doc_rows(file))


def _file_rows(files):
    for n, f in enumerate(files, 1):
        yield [n, f.code, f.symbol, f.title, _d(f.start_date), _d(f.end_date), f.retention.label, f.document_count,
               f.page_count, f.notes, f.access_regime, f.creator, f.language, f.description]


def files_index_xlsx(unit, year):
    files = selectors.files_of(unit, year).exclude(status="destroyed").order_by("code")
    header = [unit.name.upper(), f"MỤC LỤC HỒ SƠ NĂM {year}"]
    return _xlsx(str(year), header, FILE_INDEX_COLUMNS, _file_rows(files.iterator(chunk_size=2000)))


def _deposit_rows(files):
    for n, f in enumerate(files, 1):
        yield [n, f.symbol, f.title, _span(f.start_date, f.end_date), f.retention.label, f.page_count, f.notes]


def deposit_index_xlsx(deposit):
    header = [deposit.unit.name.upper(), "MỤC LỤC HỒ SƠ, TÀI LIỆU NỘP LƯU", deposit.collection_name]
    return _xlsx("Nop luu", header, DEPOSIT_COLUMNS, _deposit_rows(selectors.deposit_files(deposit)))


# --- handover minutes ------------------------------------------------------------------------------------------

DEFAULT_BASIS = "Luật Lưu trữ và kế hoạch thu thập hồ sơ, tài liệu vào Lưu trữ cơ quan"

def minutes_pdf(deposit):
    """Biên bản giao nhận hồ sơ, tài liệu: basis, both parties, collection, time span, quantity, condition, and
    the deposit index attached."""
    files = selectors.deposit_files(deposit)
    when = timezone.localtime(deposit.decided_at or deposit.submitted_at)
    pages = sum(f.page_count for f in files)
    story = [
        _heading(deposit.unit),
        _p("BIÊN BẢN", "title"),
        _p("Về việc giao nhận hồ sơ, tài liệu", "center"),
        Spacer(1, 4 * mm),
        _p("Căn cứ " + (deposit.basis or DEFAULT_BASIS) + ";"),
        _p(f"Hôm nay, {long_date(when.date())}, tại {deposit.unit.name}, chúng tôi gồm:"),
        Spacer(1, 2 * mm),
        _p("BÊN GIAO:", "bold"),
        _p(f"Ông/bà: {deposit.giver_name} — Chức vụ: {deposit.giver_position}"),
        _p(f"Đơn vị: {deposit.unit.name}"),
        _p("BÊN NHẬN: Lưu trữ cơ quan", "bold"),
        _p(f"Ông/bà: {deposit.receiver_name or '…'} — Chức vụ: {deposit.receiver_position or '…'}"),
        Spacer(1, 2 * mm),
        _p("Thống nhất lập biên bản giao nhận tài liệu với nội dung như sau:"),
        _p(f"1. Tên khối tài liệu giao nộp: {deposit.collection_name}"),
        _p(f"2. Thời gian của tài liệu: {_span(deposit.start_date, deposit.end_date)}"),
        _p(f"3. Số lượng: {deposit.file_count} hồ sơ, {deposit.document_count} văn bản, {pages} tờ; "
           f"tài liệu điện tử: {deposit.document_count} văn bản."),
        _p(f"4. Tình trạng tài liệu giao nộp: {deposit.condition or 'Đầy đủ, nguyên vẹn'}"),
        _p("5. Mục lục hồ sơ, tài liệu nộp lưu kèm theo."),
        _p("Biên bản này được lập thành hai bản; bên giao (đơn vị, cá nhân) giữ một bản, "
           "bên nhận (Lưu trữ cơ quan) giữ một bản."),
        Spacer(1, 10 * mm),
        Table([[_p("ĐẠI DIỆN BÊN GIAO", "bold"), _p("ĐẠI DIỆN BÊN NHẬN", "bold")],
               [_p(deposit.giver_position, "small"), _p(deposit.receiver_position, "small")],
               [Spacer(1, 18 * mm), Spacer(1, 18 * mm)],
               [_p(deposit.giver_name, "bold"), _p(deposit.receiver_name, "bold")]],
              colWidths=[87 * mm, 87 * mm]),
        PageBreak(),
        _p("MỤC LỤC HỒ SƠ, TÀI LIỆU NỘP LƯU", "title"),
        _p(deposit.collection_name, "center"),
        Spacer(1, 4 * mm),
    ]
    rows = [[_p(c, "bold") for c in DEPOSIT_COLUMNS]]
    rows += [[_p(c, "small") for c in row] for row in _deposit_rows(files)]
    story.append(Table(rows, colWidths=[10 * mm, 22 * mm, 63 * mm, 32 * mm, 20 * mm, 12 * mm, 16 * mm],
                       repeatRows=1, style=GRID))
    return _pdf(story, "Biên bản giao nhận hồ sơ, tài liệu")
