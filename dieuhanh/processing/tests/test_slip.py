from dieuhanh.kernel.pdf import long_date
from dieuhanh.processing import services
from dieuhanh.processing.slip import render_slip


def test_long_date_has_leading_zeros_for_small_days_and_january_february():
    import datetime

    assert long_date(datetime.date(2026, 2, 5)) == "ngày 05 tháng 02 năm 2026"
    assert long_date(datetime.date(2026, 11, 24)) == "ngày 24 tháng 11 năm 2026"


def test_slip_is_a_pdf_with_the_direction_and_handlers(received):
    r = received
    (flow,) = services.assign(actor=r.org.leader_b, entry=r.entry, direction="Giao Ban Tổ chức chủ trì",
                              handlers=[{"unit_id": r.bd.pk, "role": "lead"}])
    services.add_opinion(actor=r.head, flow=flow, text="Đã phân công đồng chí Hùng")
    pdf = render_slip(r.entry)
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000
    import io
    import unicodedata

    from pypdf import PdfReader

    text = unicodedata.normalize("NFC", PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    for expected in ("PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN", "Giao Ban Tổ chức chủ trì", "Ban Tổ chức", r.doc.symbol,
                     "Đã phân công đồng chí Hùng", f"Số đến: {r.entry.arrival_number}/"):
        assert expected in text, expected
