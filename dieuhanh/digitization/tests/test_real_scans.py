"""Issue 18: each failure class of realistic scans, on generated scans (Liberation Serif, red seal, signature,
JPEG artefacts, phone photos) read by the real OCR, plus the pure parts (layout split, word list, directory,
doubtful checks) on hOCR and text."""

import random

import pytest
from PIL import Image

from dieuhanh.digitization import ocr, prepare, scans, vocab
from dieuhanh.digitization.extract import extract, extract_layout, extract_result, match_directory

# fonts-liberation2 is installed by scripts/ensure-system-packages; without it scans.render raises and says so


def _scan(index, kind, colour, quality=60, skew=0.0):
    rng = random.Random(index)
    s = scans.spec(index, rng)
    data, content_type, _ = scans.capture(scans.render(s, seed=index), kind, rng, colour=colour, quality=quality,
                                           skew=skew)
    return s, data, content_type


def _read(data, content_type):
    result = ocr.run(data, content_type)
    return result, extract_result(result, directory=scans.directory())


def test_phone_photo_with_72_dpi_perspective_and_shadow_is_read():
    s, data, content_type = _scan(3, "phone", True, quality=70)
    assert Image.open(__import__("io").BytesIO(data)).info["dpi"][0] == 72  # what OCRmyPDF refused before
    result, got = _read(data, content_type)
    assert {"resolution-derived", "perspective", "light-evened"} <= set(result.steps)
    assert got.symbol == s["symbol"]
    assert got.issued_on == s["issued_on"]
    assert got.subject == s["subject"]


def test_colour_scan_two_columns_seal_and_signer():
    """Office colour scan at 200 ppi, JPEG 50: the header's columns stay apart, the subject stops at the rule,
    and the seal taken out by colour gives the signer's name back."""
    s, data, content_type = _scan(4, "office-200", True, quality=50, skew=0.8)
    result, got = _read(data, content_type)
    assert "seal-removed" in result.steps
    assert got.symbol == s["symbol"]
    assert got.issuer_name == s["issuer_name"]  # no motto leaked in
    assert got.place == s["place"]
    assert got.type_name == s["type_name"]
    assert got.subject == s["subject"]
    assert got.signer_name == s["signer"]
    assert [line for line in s["positions"] if line in got.signer_position or line in got.signer_authority]
    assert got.doubtful == []


def test_cong_van_vv_block_under_the_number():
    s, data, content_type = _scan(10, "office-300", True, quality=70)
    assert s["title"] is None  # a công văn
    _, got = _read(data, content_type)
    assert got.type_name == "Công văn"
    assert got.subject == s["subject"]
    assert got.symbol == s["symbol"]


def test_credible_resolution_from_pixel_size():
    ppi, derived = prepare.credible_ppi(72, 1800, 2400)  # a phone's 72 dpi: the page is taken as A4
    assert derived and ppi == pytest.approx(1800 / 8.27)
    assert prepare.credible_ppi(300, 2481, 3508) == (300.0, False)
    assert prepare.credible_ppi(None, 1654, 2339)[0] == pytest.approx(200, abs=1)


def _hocr(lines, width=2481, height=3508):
    spans = []
    for n, words in enumerate(lines):
        inner = "".join(f"<span class='ocrx_word' id='w{n}_{k}' title='bbox {x0} {y0} {x1} {y1}; x_wconf 95'>{t}</span>"
                        for k, (t, x0, y0, x1, y1) in enumerate(words))
        spans.append(f"<span class='ocr_line' id='l{n}' title='bbox 0 0 1 1'>{inner}</span>")
    return f"<div class='ocr_page' title='image \"x\"; bbox 0 0 {width} {height}; ppageno 0'>{''.join(spans)}</div>"


def _words(text, x, y, h=50):
    out = []
    for word in text.split():
        out.append((word, x, y, x + 24 * len(word), y + h))
        x += 24 * len(word) + 20
    return out


def test_header_columns_read_as_one_line_are_split_by_position():
    """'Số:3894/TB-SGDĐT - Thanh Hóa, ngày ...' on one OCR line gave the symbol '3894/TB-SGDĐT-Thanh'."""
    hocr = _hocr([
        _words("UBND TỈNH THANH HÓA", 300, 200) + _words("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 1250, 200),
        _words("SỞ GIÁO DỤC VÀ ĐÀO TẠO", 280, 260) + _words("Độc lập - Tự do - Hạnh phúc", 1350, 260),
        _words("Số:3894/TB-SGDĐT -", 330, 380) + _words("Thanh Hóa, ngày 05 tháng 3 năm 2026", 1300, 380),
        _words("THÔNG BÁO", 1120, 560),
        _words("Về việc tuyển sinh năm học 2026", 900, 620),
        _words("Căn cứ Quyết định số 12/QĐ-UBND ngày 01 tháng 02 năm 2026 của Ủy ban nhân dân tỉnh về việc", 350,
               800),
    ])
    got = extract_layout(hocr)
    assert got.symbol == "3894/TB-SGDĐT"
    assert got.place == "Thanh Hóa"
    assert got.issuer_name == "UBND TỈNH THANH HÓA SỞ GIÁO DỤC VÀ ĐÀO TẠO"
    assert got.subject == "Về việc tuyển sinh năm học 2026"
    assert got.type_name == "Thông báo"


def test_symbol_from_the_body_is_not_taken_and_is_marked():
    hocr = _hocr([
        _words("ỦY BAN NHÂN DÂN", 300, 200), _words("XÃ DIỄN CHÂU", 330, 260),
        _words("S6: ??/UB", 330, 380) + _words("Nghệ An, ngày 05 tháng 3 năm 2026", 1300, 380),
        _words("QUYẾT ĐỊNH", 1120, 560), _words("Về việc giao chỉ tiêu", 1000, 620),
        _words("Căn cứ Quyết định số 12/QĐ-UBND ngày 01 tháng 02 năm 2026 của Ủy ban nhân dân tỉnh về việc", 350,
               800),
    ])
    got = extract_layout(hocr)
    assert got.symbol in ("", "12/QĐ-UBND")
    assert "symbol" in got.doubtful


def test_issuer_diacritics_from_the_directory_and_subject_from_the_word_list():
    directory = ["Ủy ban nhân dân xã Diễn Châu", "Ủy ban nhân dân xã Diễn Kỷ"]
    assert match_directory("ỦY BAN NHÂN DÂN XÃ DIEN CHAU", directory) == "ỦY BAN NHÂN DÂN XÃ DIỄN CHÂU"
    assert match_directory("SỞ Y TẾ", ["Ủy ban nhân dân xã Diễn Châu"]) is None
    assert vocab.repair("Vé việc tổ chức hội nghị tổng kết nam 2026") == "Về việc tổ chức hội nghị tổng kết năm 2026"


def test_doubtful_fields_from_the_extraction_checks():
    text = ("ỦY BAN NHÂN DÂN TỈNH BẮC NINH\nSố: 12/QĐ-UBND\nBắc Ninh, ngày 31 tháng 02 năm 2026\nQUYẾT ĐỊNH\n"
            + "Về việc " + "rất dài " * 60)
    got = extract(text, directory=["Ủy ban nhân dân tỉnh Hà Nam"])
    assert got.symbol == "12/QĐ-UBND" and "symbol" not in got.doubtful
    assert {"issued_on", "issuer_name", "subject", "signer_name"} <= set(got.doubtful)  # 31/02, unknown, too long


def test_signer_block_authority_position_and_name_without_the_signature_debris():
    hocr = _hocr([
        _words("ỦY BAN NHÂN DÂN", 300, 200), _words("TỈNH BẮC NINH", 330, 260),
        _words("Số: 12/QĐ-UBND", 330, 380) + _words("Bắc Ninh, ngày 05 tháng 3 năm 2026", 1300, 380),
        _words("QUYẾT ĐỊNH", 1120, 560), _words("Về việc giao chỉ tiêu", 1000, 620),
        _words("Căn cứ Quyết định số 12/QĐ-UBND ngày 01 tháng 02 năm 2026 của Ủy ban nhân dân tỉnh về việc", 350,
               800),
        _words("TM. ỦY BAN NHÂN DÂN", 1430, 1660), _words("KT. CHỦ TỊCH", 1550, 1730),
        _words("PHÓ CHỦ TICH vWNMH", 1480, 1795), _words("-¬ 7", 1430, 1840),
        _words("-T âi Bùi Hữu Tuấn", 1480, 2100),
    ])
    got = extract_layout(hocr)
    assert (got.authority, got.signer_position, got.signer_name) == ("KT.", "PHÓ CHỦ TỊCH", "Bùi Hữu Tuấn")
    assert "signer_name" not in got.doubtful


def test_slash_read_as_a_digit_on_the_number_line_is_repaired_and_marked():
    hocr = _hocr([
        _words("ỦY BAN NHÂN DÂN", 300, 200), _words("XÃ ĐỨC THỌ", 330, 260),
        _words("Số: 23917TB-UBND", 330, 380) + _words("Hà Tĩnh, ngày 10 tháng 7 năm 2026", 1300, 380),
        _words("THÔNG BÁO", 1120, 560), _words("Về việc giao chỉ tiêu", 1000, 620),
    ])
    got = extract_layout(hocr)
    assert got.symbol == "2391/TB-UBND" and "symbol" in got.doubtful
    assert got.issuer_name == "ỦY BAN NHÂN DÂN XÃ ĐỨC THỌ"  # the number line is not part of the issuer


def test_a_subject_line_as_wide_as_the_body_is_not_taken_for_the_body():
    """A long subject (two lines, the first as wide as a body line) under the title: the body starts at the rule,
    not at the subject's first line, so the subject neither runs on into the body nor comes from the flat text."""
    rng = random.Random(0)
    s = scans.spec(0, rng)  # a tuning document, with a tuning-style subject long enough to fill the line
    s["subject"] = "Về việc hướng dẫn đánh giá, xếp loại chất lượng cán bộ năm 2026"
    data, content_type, _ = scans.capture(scans.render(s, seed=0), "office-300", rng, colour=False, quality=70)
    _, got = _read(data, content_type)
    assert got.subject == s["subject"]
    assert "subject" not in got.doubtful


def test_greyscale_150_ppi_scan_keeps_the_signers_name_under_the_seal():
    """A 150 ppi greyscale office scan: no colour to tell the seal by, and the page-wide grey lift would take thin
    strokes with it at this resolution; lifted in the signer's corner only, the name under the seal reads."""
    s, data, content_type = _scan(2, "office-150", False, quality=60)
    result, got = _read(data, content_type)
    assert "seal-corner-lifted" in result.steps
    assert got.signer_name == s["signer"]
    assert got.symbol == s["symbol"] and got.subject == s["subject"]


def test_a_signer_whose_surname_is_no_vietnamese_surname_is_doubtful():
    """Under the seal "Đỗ" read as "Đã" (a word, not a surname): three words, so nothing marked it before."""
    lines = [
        _words("ỦY BAN NHÂN DÂN", 300, 200), _words("TỈNH BẮC NINH", 330, 260),
        _words("Số: 12/QĐ-UBND", 330, 380) + _words("Bắc Ninh, ngày 05 tháng 3 năm 2026", 1300, 380),
        _words("QUYẾT ĐỊNH", 1120, 560), _words("Về việc giao chỉ tiêu", 1000, 620),
        _words("Căn cứ Quyết định số 12/QĐ-UBND ngày 01 tháng 02 năm 2026 của Ủy ban nhân dân tỉnh về việc", 350,
               800),
        _words("TM. ỦY BAN NHÂN DÂN", 1430, 1660), _words("CHỦ TỊCH", 1550, 1730),
    ]
    misread = extract_layout(_hocr(lines + [_words("Đã Đức Yến", 1480, 2100)]))
    assert misread.signer_name == "Đã Đức Yến" and "signer_name" in misread.doubtful
    right = extract_layout(_hocr(lines + [_words("Đỗ Đức Yến", 1480, 2100)]))
    assert right.signer_name == "Đỗ Đức Yến" and "signer_name" not in right.doubtful
