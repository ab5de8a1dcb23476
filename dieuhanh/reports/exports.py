"""A standard report as an annex (phụ lục) an office attaches to its report letter: .xlsx (one sheet per table) and
PDF (A4 landscape, the vendored Unicode font): issuing unit, title, period, date, each table with its header row
and a totals row. The annex's frame is Vietnamese, as the office forms of records/exports.py."""

import datetime
import io
from xml.sax.saxutils import escape

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from dieuhanh.kernel.pdf import long_date, styles
from dieuhanh.kernel.text import cell
from dieuhanh.kernel.xlsx import append

from .standard import Report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


def _d(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def header_lines(report: Report) -> list[str]:
    """The annex's heading: issuing unit, "PHỤ LỤC", the title, the period, the date it was produced."""
    p = report.params
    made = timezone.localtime(report.generated_at).date()
    return [p.unit.name.upper(), "PHỤ LỤC", report.title.upper(),
            f"Từ ngày {_d(p.start)} đến ngày {_d(p.end)}",
            f"(Kèm theo báo cáo của {p.unit.name}, lập {long_date(made)})"]


def filename(report: Report, ext: str) -> str:
    p = report.params
    return f"bao-cao-{p.kind}-{p.unit.pk}-{p.start:%Y%m%d}-{p.end:%Y%m%d}.{ext}"


def to_xlsx(report: Report) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    for section in report.sections:
        ws = wb.create_sheet(title=cell(section.title)[:31] or section.key)
        for line in header_lines(report) + [section.title] + ([section.note] if section.note else []):
            append(ws, [line])
        append(ws, [])
        append(ws, section.columns)
        for c in ws[ws.max_row]:
            c.font = bold
        for row in section.rows:
            append(ws, row)
        if section.totals is not None:
            append(ws, section.totals)
            for c in ws[ws.max_row]:
                c.font = bold
        ws.column_dimensions["A"].width = 45
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _p(text: object, style: str = "small") -> Paragraph:
    return Paragraph(escape(str(text if text is not None else "")), styles()[style])


def _head(text: object, columns: int) -> Paragraph:
    """A column heading: smaller as the table gets wider, so words do not break letter by letter."""
    size = 9 if columns <= 8 else 7
    style = ParagraphStyle(f"head{size}", parent=styles()["bold"], fontSize=size, leading=size + 2)
    return Paragraph(escape(str(text)), style)


def to_pdf(report: Report) -> bytes:
    lines = header_lines(report)
    page = landscape(A4)
    width = page[0] - 30 * mm
    story: list = [
        Table([[_p(lines[0], "bold"), _p(f"{long_date(timezone.localtime(report.generated_at).date())}", "small")]],
              colWidths=[width * 0.6, width * 0.4]),
        _p(lines[1], "title"), _p(lines[2], "title"), _p(lines[3], "center"), _p(lines[4], "center"),
    ]
    for section in report.sections:
        story += [Spacer(1, 4 * mm), _p(section.title, "bold")] + ([_p(section.note)] if section.note else []) + [
            Spacer(1, 2 * mm)]
        first = (70 if len(section.columns) <= 8 else 50) * mm
        rest = (width - first) / max(1, len(section.columns) - 1)
        rows = [[_head(c, len(section.columns)) for c in section.columns]]
        rows += [[_p(v) for v in row] for row in section.rows]
        style = [("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                 ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)]
        if section.totals is not None:
            rows.append([_p(v, "bold") for v in section.totals])
            style.append(("BACKGROUND", (0, -1), (-1, -1), colors.whitesmoke))
        story.append(Table(rows, colWidths=[first] + [rest] * (len(section.columns) - 1), repeatRows=1,
                           style=TableStyle(style)))
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=page, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=12 * mm,
                      bottomMargin=12 * mm, title=f"Phụ lục: {report.title}").build(story)
    return buf.getvalue()
