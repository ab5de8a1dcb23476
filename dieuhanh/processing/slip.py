"""The processing slip (phiếu giải quyết văn bản đến) of a registered document, as PDF."""

import io
from xml.sax.saxutils import escape

from django.utils import timezone, translation
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from dieuhanh.kernel.pdf import long_date, styles

from .models import FlowNote
from .selectors import tree


def render_slip(entry):
    """PDF bytes of the slip for ``entry``: the document, the direction, every handler and their results.

    The slip is an office form: it is always in Vietnamese, whatever the reader's interface language.
    """
    with translation.override("vi"):
        return _render(entry)


def _render(entry):
    s = styles()
    doc = entry.document
    flows = tree(entry)
    root = next((f for f in flows if f.parent_id is None), None)
    notes = (FlowNote.objects.filter(flow__entry=entry).select_related("author", "flow").order_by("id"))
    buf = io.BytesIO()
    pdf = SimpleDocTemplate(buf, pagesize=A4, leftMargin=20 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=f"Phiếu giải quyết văn bản đến {entry.arrival_number}")

    def p(text, style="base"):
        return Paragraph(escape(text or ""), s[style])

    story = [
        Table([[p(entry.unit.name.upper(), "bold"), p("ĐẢNG CỘNG SẢN VIỆT NAM", "bold")],
               [p(""), p(f"{entry.unit.name}, {long_date(timezone.localdate())}", "small")]],
              colWidths=[85 * mm, 90 * mm]),
        p("PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN", "title"),
        p(f"Số đến: {entry.arrival_number}/{entry.register.year} — Ngày đến: {entry.arrived_on:%d/%m/%Y}", "center"),
        Spacer(1, 6 * mm),
        Table([
            [p("Số, ký hiệu", "bold"), p(doc.symbol)],
            [p("Ngày văn bản", "bold"), p(doc.issued_on.strftime("%d/%m/%Y") if doc.issued_on else "")],
            [p("Cơ quan ban hành", "bold"), p(doc.issuer_name)],
            [p("Trích yếu", "bold"), p(f"{doc.document_type.name}: {doc.subject}")],
        ], colWidths=[40 * mm, 135 * mm],
            style=TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")])),
        Spacer(1, 5 * mm),
        p("Ý kiến chỉ đạo của lãnh đạo", "bold"),
        p((root.direction if root else "") or (flows[1].direction if len(flows) > 1 else "") or "…"),
        Spacer(1, 4 * mm),
    ]
    rows = [[p("Người/đơn vị xử lý", "bold"), p("Vai trò", "bold"), p("Hạn xử lý", "bold"),
             p("Trạng thái", "bold")]]
    for f in flows:
        if f.parent_id is None:
            continue
        rows.append([p("↳ " * (f.depth - 1) + f.handler_name), p(f.get_role_display()),
                     p(f.deadline.strftime("%d/%m/%Y") if f.deadline else ""), p(f.get_status_display())])
    story.append(Table(rows, colWidths=[70 * mm, 42 * mm, 28 * mm, 35 * mm], repeatRows=1,
                       style=TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                                         ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)])))
    if notes:
        story += [Spacer(1, 5 * mm), p("Ý kiến và kết quả xử lý", "bold")]
        for n in notes:
            when = timezone.localtime(n.created_at)
            story.append(p(f"{when:%d/%m/%Y} — {n.author.full_name} ({n.get_kind_display()}): {n.text}"))
    story += [Spacer(1, 12 * mm), Table([[p(""), p("LÃNH ĐẠO", "bold")],
                                         [p(""), p(root.assigned_by.full_name if root else "", "center")]],
                                        colWidths=[95 * mm, 80 * mm])]
    pdf.build(story)
    return buf.getvalue()
