"""Synthetic scans of official documents, for tests and the accuracy benchmark: State (Decree 30/2020) and Party
(Regulation 399-QĐ/TW) layouts in Vietnamese, drawn with the vendored DejaVu fonts, then scanned: small skew,
noise, 200-300 ppi. Each sample carries its ground truth (what the extraction should read)."""

import datetime
import io
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONTS = Path(__file__).resolve().parent.parent / "kernel" / "fonts"
A4 = (8.27, 11.69)

PROVINCES = ["Bắc Ninh", "Hà Nội", "Thanh Hóa", "Nghệ An", "Đà Nẵng", "Cần Thơ", "Quảng Ninh", "Lâm Đồng",
             "Hải Phòng", "Đồng Tháp", "Khánh Hòa", "Thái Nguyên"]
STATE_ISSUERS = [("ỦY BAN NHÂN DÂN", "TỈNH {p}", "UBND"), ("HỘI ĐỒNG NHÂN DÂN", "TỈNH {p}", "HĐND"),
                 ("UBND TỈNH {p}", "VĂN PHÒNG", "VP"), ("UBND TỈNH {p}", "SỞ NỘI VỤ", "SNV")]
PARTY_ISSUERS = [("ĐẢNG BỘ TỈNH {p}", "TỈNH ỦY", "TU"), ("ĐẢNG BỘ TỈNH {p}", "BAN TỔ CHỨC TỈNH ỦY", "BTCTU"),
                 ("ĐẢNG BỘ TỈNH {p}", "ỦY BAN KIỂM TRA TỈNH ỦY", "UBKTTU")]
STATE_TYPES = [("QUYẾT ĐỊNH", "Quyết định", "QĐ"), ("KẾ HOẠCH", "Kế hoạch", "KH"), ("BÁO CÁO", "Báo cáo", "BC"),
               ("THÔNG BÁO", "Thông báo", "TB"), ("TỜ TRÌNH", "Tờ trình", "TTr"), (None, "Công văn", "")]
PARTY_TYPES = [("QUYẾT ĐỊNH", "Quyết định", "QĐ"), ("NGHỊ QUYẾT", "Nghị quyết", "NQ"), ("KẾT LUẬN", "Kết luận", "KL"),
               ("HƯỚNG DẪN", "Hướng dẫn", "HD"), ("BÁO CÁO", "Báo cáo", "BC"), (None, "Công văn", "CV")]
SUBJECTS = ["Về việc ban hành Quy chế làm việc của cơ quan", "Về việc điều động cán bộ đi công tác",
            "Triển khai công tác chuyển đổi số năm 2026", "Về tổ chức hội nghị sơ kết công tác quý I",
            "Về việc phân công nhiệm vụ thành viên Ban Chỉ đạo", "Thực hiện chế độ báo cáo thống kê định kỳ",
            "Về kiện toàn tổ chức bộ máy sau sắp xếp đơn vị hành chính", "Tăng cường công tác văn thư, lưu trữ",
            "Về việc tiếp nhận và xử lý văn bản điện tử", "Phòng, chống thiên tai và tìm kiếm cứu nạn năm 2026"]
BODY = ["Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
        "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;",
        "Theo đề nghị của Chánh Văn phòng và Giám đốc Sở Nội vụ.",
        "Các cơ quan, đơn vị có liên quan chịu trách nhiệm thi hành văn bản này kể từ ngày ký.",
        "Trong quá trình thực hiện, nếu có vướng mắc, đề nghị báo cáo kịp thời để xem xét, giải quyết."]


@dataclass
class Sample:
    name: str
    system: str
    symbol: str
    issued_on: datetime.date
    issuer_name: str
    type_name: str
    subject: str
    ppi: int
    skew: float
    data: bytes = b""
    content_type: str = "image/png"

    def truth(self):
        return {"symbol": self.symbol, "issued_on": self.issued_on.isoformat(), "issuer_name": self.issuer_name,
                "type_name": self.type_name, "subject": self.subject}


def _font(size, bold=False):
    return ImageFont.truetype(str(FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")), size)


def wrap_lines(draw, text, font, width):
    """The words of ``text`` in lines no wider than ``width`` pixels in ``font`` (a scan generator's paragraphs)."""
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if draw.textlength(trial, font=font) > width and line:
            lines.append(line)
            line = word
        else:
            line = trial
    return lines + ([line] if line else [])


def spec(index, rng):
    """Ground truth of sample ``index``: alternately State and Party, every type and issuer in turn."""
    system = "state" if index % 2 == 0 else "party"
    province = rng.choice(PROVINCES)
    issuers = STATE_ISSUERS if system == "state" else PARTY_ISSUERS
    top, second, abbr = issuers[(index // 2) % len(issuers)]
    top, second = top.format(p=province.upper()), second.format(p=province.upper())
    title, type_name, type_abbr = (STATE_TYPES if system == "state" else PARTY_TYPES)[(index // 2) % 6]
    number = rng.randint(1, 1999)
    if system == "state":
        symbol = f"{number}/{type_abbr}-{abbr}" if type_abbr else f"{number}/{abbr}-{rng.choice(['VP', 'TH', 'KT'])}"
        if abbr in ("VP", "SNV") and type_abbr:
            symbol = f"{number}/{type_abbr}-{abbr}"
    else:
        symbol = f"{number}-{type_abbr}/{abbr}"
    day = datetime.date(2026, 1, 1) + datetime.timedelta(days=rng.randint(0, 300))
    subject = rng.choice(SUBJECTS)
    return {"system": system, "top": top, "second": second, "title": title, "type_name": type_name,
            "symbol": symbol, "issued_on": day, "place": province, "subject": subject,
            "issuer_name": f"{top} {second}"}


def render(s, ppi=250, skew=0.0, noise=0.04, seed=0):
    """A grayscale page image of the document described by ``s`` (a :func:`spec`)."""
    rng = random.Random(seed)
    width, height = int(A4[0] * ppi), int(A4[1] * ppi)
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    pt = ppi / 72
    normal, bold = _font(int(13 * pt)), _font(int(13 * pt), bold=True)
    small_bold = _font(int(12 * pt), bold=True)
    left_c, right_c = int(width * 0.27), int(width * 0.66)
    y = int(0.75 * ppi)
    line_h = int(19 * pt)

    def center(text, x, y, font):
        draw.text((x - draw.textlength(text, font=font) / 2, y), text, font=font, fill=0)

    if s["system"] == "state":
        center(s["top"], left_c, y, normal)
        center(s["second"], left_c, y + line_h, bold)
        center("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", right_c, y, small_bold)
        center("Độc lập - Tự do - Hạnh phúc", right_c, y + line_h, bold)
        draw.line((right_c - 2.6 * 72 * pt / 2.2, y + 2.1 * line_h, right_c + 2.6 * 72 * pt / 2.2, y + 2.1 * line_h),
                  fill=0, width=max(1, int(pt)))
        y += int(2.8 * line_h)
        center(f"Số: {s['symbol']}", left_c, y, normal)
    else:
        center(s["top"], left_c, y, normal)
        center(s["second"], left_c, y + line_h, bold)
        center("*", left_c, y + 2 * line_h, normal)
        center("ĐẢNG CỘNG SẢN VIỆT NAM", right_c, y, small_bold)
        draw.line((right_c - 2.2 * 72 * pt / 2, y + 1.1 * line_h, right_c + 2.2 * 72 * pt / 2, y + 1.1 * line_h),
                  fill=0, width=max(1, int(pt)))
        y += int(3 * line_h)
        center(f"Số {s['symbol']}", left_c, y, normal)
    date = s["issued_on"]
    center(f"{s['place']}, ngày {date.day:02d} tháng {date.month:02d} năm {date.year}", right_c, y, normal)
    y += line_h
    if s["title"] is None:  # công văn: "V/v ..." under the number
        for line in wrap_lines(draw, f"V/v {s['subject']}", _font(int(12 * pt)), width * 0.4):
            center(line, left_c, y, _font(int(12 * pt)))
            y += int(16 * pt)
        y += 2 * line_h
        draw.text((int(width * 0.3), y), f"Kính gửi: {s['top'].title()}", font=normal, fill=0)
        y += 2 * line_h
    else:
        y += 2 * line_h
        center(s["title"], width // 2, y, bold)
        y += line_h
        for line in wrap_lines(draw, s["subject"], bold, width * 0.7):
            center(line, width // 2, y, bold)
            y += line_h
        y += 2 * line_h
    margin = int(1.2 * ppi)
    for paragraph in BODY + rng.sample(BODY, 3):
        for line in wrap_lines(draw, paragraph, normal, width - margin - int(0.8 * ppi)):
            draw.text((margin, y), line, font=normal, fill=0)
            y += line_h
        y += int(line_h * 0.4)
    if skew:
        page = page.rotate(skew, resample=Image.BICUBIC, expand=False, fillcolor=255)
    page = page.filter(ImageFilter.GaussianBlur(radius=0.35 * ppi / 200))
    if noise:
        page = _noise(page, noise, rng)
    return page


def _noise(page, amount, rng):
    """Scanner grain and specks: gaussian grey offsets plus a few dark dots."""
    from PIL import ImageChops

    grain = Image.effect_noise(page.size, 255 * amount)  # centred on 128
    page = ImageChops.add(page, grain, scale=1.0, offset=-128)
    draw = ImageDraw.Draw(page)
    for _ in range(int(page.size[0] * page.size[1] * amount / 4000)):
        x, y = rng.randrange(page.size[0]), rng.randrange(page.size[1])
        draw.point((x, y), fill=rng.randint(40, 120))
    return page


def encode(page, ppi, fmt):
    """Bytes of the page as a scanner would save it: PNG, JPEG, TIFF (group 4 after thresholding) or PDF."""
    buf = io.BytesIO()
    if fmt == "png":
        page.save(buf, "PNG", dpi=(ppi, ppi))
        return buf.getvalue(), "image/png"
    if fmt == "jpeg":
        page.save(buf, "JPEG", quality=85, dpi=(ppi, ppi))
        return buf.getvalue(), "image/jpeg"
    if fmt == "tiff":
        page.point(lambda v: 255 if v > 150 else 0).convert("1").save(buf, "TIFF", compression="group4",
                                                                        dpi=(ppi, ppi))
        return buf.getvalue(), "image/tiff"
    if fmt == "pdf":
        import img2pdf

        page.save(buf, "JPEG", quality=85, dpi=(ppi, ppi))
        layout = img2pdf.get_fixed_dpi_layout_fun((ppi, ppi))
        return img2pdf.convert(buf.getvalue(), layout_fun=layout), "application/pdf"
    raise ValueError(fmt)


def make_samples(count=30, seed=2026):
    """``count`` scans with their ground truth: formats, resolutions (200-300 ppi) and skews vary."""
    rng = random.Random(seed)
    formats = ["png", "jpeg", "tiff", "pdf"]
    samples = []
    for index in range(count):
        s = spec(index, rng)
        ppi = rng.choice([200, 240, 300])
        skew = round(rng.uniform(-1.5, 1.5), 2)
        fmt = formats[index % len(formats)]
        data, content_type = encode(render(s, ppi=ppi, skew=skew, noise=0.04, seed=index), ppi, fmt)
        samples.append(Sample(name=f"scan-{index:03d}.{ 'jpg' if fmt == 'jpeg' else fmt}", system=s["system"],
                              symbol=s["symbol"], issued_on=s["issued_on"], issuer_name=s["issuer_name"],
                              type_name=s["type_name"], subject=s["subject"], ppi=ppi, skew=skew, data=data,
                              content_type=content_type))
    return samples


def small_page(text_lines=None, ppi=150):
    """A small, clean page (a quarter of A4 at ``ppi``) for the one real-OCR test."""
    width, height = int(A4[0] * ppi), int(A4[1] * ppi / 3)
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    font = _font(int(14 * ppi / 72))
    y = int(0.3 * ppi)
    for line in text_lines or ["ỦY BAN NHÂN DÂN TỈNH BẮC NINH", "Số: 12/QĐ-UBND",
                               "Bắc Ninh, ngày 05 tháng 02 năm 2026", "QUYẾT ĐỊNH",
                               "Về việc ban hành quy chế làm việc"]:
        draw.text((int(0.6 * ppi), y), line, font=font, fill=0)
        y += int(22 * ppi / 72)
    buf = io.BytesIO()
    page.save(buf, "PNG", dpi=(ppi, ppi))
    return buf.getvalue()
