"""The metadata parser: known layouts, OCR slips, and robustness on any text (hypothesis)."""

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from dieuhanh.digitization.extract import Extracted, extract

STATE_TYPES = [("QUYẾT ĐỊNH", "Quyết định", "QĐ"), ("KẾ HOẠCH", "Kế hoạch", "KH"), ("BÁO CÁO", "Báo cáo", "BC"),
               ("TỜ TRÌNH", "Tờ trình", "TTr"), ("THÔNG BÁO", "Thông báo", "TB")]
PARTY_TYPES = [("NGHỊ QUYẾT", "Nghị quyết", "NQ"), ("KẾT LUẬN", "Kết luận", "KL"), ("HƯỚNG DẪN", "Hướng dẫn", "HD"),
               ("QUYẾT ĐỊNH", "Quyết định", "QĐ")]


def test_state_decision():
    text = """ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH BẮC NINH Độc lập - Tự do - Hạnh phúc
Số: 12/QĐ-UBND Bắc Ninh, ngày 05 tháng 02 năm 2026
QUYẾT ĐỊNH
Về việc ban hành quy chế làm việc
của Ủy ban nhân dân tỉnh
ỦY BAN NHÂN DÂN TỈNH BẮC NINH
Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;"""
    got = extract(text)
    assert (got.system, got.number, got.symbol) == ("state", 12, "12/QĐ-UBND")
    assert got.issued_on == datetime.date(2026, 2, 5) and got.place == "Bắc Ninh"
    assert got.issuer_name == "ỦY BAN NHÂN DÂN TỈNH BẮC NINH"
    assert got.type_name == "Quyết định"
    assert got.subject == "Về việc ban hành quy chế làm việc của Ủy ban nhân dân tỉnh"


def test_state_letter_without_type_abbreviation():
    text = """UBND TỈNH BẮC NINH
VĂN PHÒNG
Số: 123/UBND-VP
V/v góp ý dự thảo kế hoạch
Bắc Ninh, ngày 01 tháng 01 năm 2026
Kính gửi: Các sở, ban, ngành"""
    got = extract(text)
    assert got.symbol == "123/UBND-VP" and got.type_abbreviation == "" and got.issuer_abbreviation == "UBND"
    assert got.type_name == "Công văn" and got.subject == "góp ý dự thảo kế hoạch"
    assert got.issuer_name == "UBND TỈNH BẮC NINH VĂN PHÒNG"


def test_party_formats_and_ocr_slips():
    text = """ĐẢNG BỘ TỈNH BẮC NINH ĐẢNG CỘNG SẢN VIỆT NAM
TỈNH ỦY
*
Số 127 - QD/TU Bắc Ninh, ngày 15 tháng 3 năm 2026
QUYẾT ĐỊNH
về chuẩn y kết quả bầu cử"""
    got = extract(text)
    assert (got.system, got.symbol) == ("party", "127-QĐ/TU")  # "QD" read for "QĐ" is restored
    assert got.issued_on == datetime.date(2026, 3, 15)
    assert got.issuer_name == "ĐẢNG BỘ TỈNH BẮC NINH TỈNH ỦY"
    assert got.subject == "về chuẩn y kết quả bầu cử"
    assert extract("Số 15-CV/TU\nV/v tổ chức hội nghị").symbol == "15-CV/TU"
    assert extract("Số 15-CV/TU\nV/v tổ chức hội nghị").type_name == "Công văn"
    assert extract("30-KL/ĐU").symbol == "30-KL/ĐU"
    assert extract("Số: l2/QĐ-UBND").symbol == "12/QĐ-UBND"  # l read for 1


def test_body_dates_are_not_the_document_date():
    text = ("Số: 5/KH-UBND\nCăn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020;\n"
            "Hà Nội, ngày 09 tháng 01 năm 2026")
    assert extract(text).issued_on == datetime.date(2026, 1, 9)


def test_invalid_dates_are_ignored():
    assert extract("Hà Nội, ngày 31 tháng 02 năm 2026").issued_on is None


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_gives_a_result(text):
    got = extract(text)
    assert isinstance(got, Extracted)
    assert got.system in ("", "state", "party")
    assert got.issued_on is None or isinstance(got.issued_on, datetime.date)
    assert len(got.subject) <= 2000 and len(got.issuer_name) <= 255 and len(got.symbol) <= 100
    got.as_dict()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["Số:", "Số", "ngày", "tháng", "năm", "/", "-", "QĐ", "UBND", "TU", "12", "2026",
                                 "V/v", "QUYẾT ĐỊNH", "\n", ",", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "05", "31"]),
                max_size=60).map(" ".join))
def test_near_miss_text_gives_a_result(text):
    got = extract(text)
    assert got.system in ("", "state", "party")
    if got.symbol:
        assert got.number is not None and 0 < got.number < 100000
        assert got.symbol.lstrip("0").startswith(str(got.number))


@settings(max_examples=200, deadline=None)
@given(system=st.sampled_from(["state", "party"]), number=st.integers(1, 9999), index=st.integers(0, 100),
       day=st.dates(datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)),
       place=st.sampled_from(["Hà Nội", "Bắc Ninh", "Thành phố Hồ Chí Minh", "Đà Nẵng"]),
       issuer=st.sampled_from(["UBND", "TU", "ĐU", "HĐND", "VPTW"]),
       subject=st.sampled_from(["Về việc điều động cán bộ", "Tăng cường công tác văn thư, lưu trữ"]))
def test_generated_headers_round_trip(system, number, index, day, place, issuer, subject):
    title, type_name, abbr = (STATE_TYPES if system == "state" else PARTY_TYPES)[index % 4]
    if system == "state":
        symbol, number_line = f"{number}/{abbr}-{issuer}", f"Số: {number}/{abbr}-{issuer}"
        header = "CƠ QUAN CẤP TRÊN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nCƠ QUAN BAN HÀNH Độc lập - Tự do - Hạnh phúc"
    else:
        symbol, number_line = f"{number}-{abbr}/{issuer}", f"Số {number}-{abbr}/{issuer}"
        header = "ĐẢNG BỘ CẤP TRÊN ĐẢNG CỘNG SẢN VIỆT NAM\nCƠ QUAN BAN HÀNH\n*"
    date_text = f"{place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"
    text = f"{header}\n{number_line} {date_text}\n{title}\n{subject}\nCăn cứ các quy định hiện hành;"
    got = extract(text)
    assert got.symbol == symbol and got.system == system and got.number == number
    assert got.issued_on == day and got.place == place
    assert got.issuer_name.endswith("CƠ QUAN BAN HÀNH")
    assert got.type_name == type_name and got.subject == subject
