"""Realistic synthetic scans, for the accuracy benchmark and the tests: documents set as Decree 30/2020 and
Regulation 66-QĐ/TW set them (Times-metric Liberation Serif with full Vietnamese coverage, two-column header,
centred title and subject, signer block with a handwritten signature under a red seal), then captured as a clerk's
office captures them: a flatbed scanner at 150/200/300 ppi in colour or greyscale with JPEG artefacts (quality
40-80) and a small skew, or a phone photo (perspective, uneven light, 72 dpi in the metadata).

Everything is drawn from a seed, so a set is the same on every machine that has fonts-liberation2.
"""

import datetime
import io
import math
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from dieuhanh.digitization.samples import wrap_lines

FONT_DIRS = (Path("/usr/share/fonts/truetype/liberation2"), Path("/usr/share/fonts/truetype/liberation"))
A4 = (8.27, 11.69)
RENDER_PPI = 300
INK = (25, 25, 30)
SEAL_RED = (205, 35, 45)
SIGNATURE_BLUE = (35, 45, 150)

PROVINCES = ["Bắc Ninh", "Hà Nội", "Thanh Hóa", "Nghệ An", "Đà Nẵng", "Cần Thơ", "Quảng Ninh", "Lâm Đồng",
             "Hải Phòng", "Đồng Tháp", "Khánh Hòa", "Thái Nguyên", "Tuyên Quang", "Lào Cai", "Quảng Trị", "Gia Lai"]
COMMUNES = ["Diễn Châu", "Yên Thành", "Quỳnh Lưu", "Tân Kỳ", "Hưng Nguyên", "Đức Thọ", "Cẩm Xuyên", "Phú Lộc"]
# (upper line, lower line, abbreviation, the head's authority line, position lines)
STATE_ISSUERS = [
    ("ỦY BAN NHÂN DÂN", "TỈNH {p}", "UBND", "TM. ỦY BAN NHÂN DÂN", ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]),
    ("HỘI ĐỒNG NHÂN DÂN", "TỈNH {p}", "HĐND", "TM. THƯỜNG TRỰC HĐND", ["CHỦ TỊCH"]),
    ("UBND TỈNH {p}", "SỞ NỘI VỤ", "SNV", "", ["GIÁM ĐỐC"]),
    ("UBND TỈNH {p}", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "SGDĐT", "", ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]),
    ("UBND TỈNH {p}", "VĂN PHÒNG", "VP", "", ["TL. CHỦ TỊCH", "CHÁNH VĂN PHÒNG"]),
    ("ỦY BAN NHÂN DÂN", "XÃ {c}", "UBND", "TM. ỦY BAN NHÂN DÂN", ["CHỦ TỊCH"]),
]
PARTY_ISSUERS = [
    ("ĐẢNG BỘ TỈNH {p}", "TỈNH ỦY", "TU", "T/M BAN THƯỜNG VỤ", ["PHÓ BÍ THƯ"]),
    ("ĐẢNG BỘ TỈNH {p}", "BAN TỔ CHỨC", "BTCTU", "", ["TRƯỞNG BAN"]),
    ("ĐẢNG BỘ TỈNH {p}", "ỦY BAN KIỂM TRA", "UBKTTU", "T/M ỦY BAN KIỂM TRA", ["CHỦ NHIỆM"]),
    ("ĐẢNG BỘ TỈNH {p}", "ĐẢNG ỦY XÃ {c}", "ĐU", "T/M ĐẢNG ỦY", ["BÍ THƯ"]),
]
STATE_TYPES = [("QUYẾT ĐỊNH", "Quyết định", "QĐ"), ("KẾ HOẠCH", "Kế hoạch", "KH"), ("BÁO CÁO", "Báo cáo", "BC"),
               ("THÔNG BÁO", "Thông báo", "TB"), ("TỜ TRÌNH", "Tờ trình", "TTr"), (None, "Công văn", "")]
PARTY_TYPES = [("QUYẾT ĐỊNH", "Quyết định", "QĐ"), ("NGHỊ QUYẾT", "Nghị quyết", "NQ"), ("KẾT LUẬN", "Kết luận", "KL"),
               ("HƯỚNG DẪN", "Hướng dẫn", "HD"), ("BÁO CÁO", "Báo cáo", "BC"), (None, "Công văn", "CV")]
# Subjects of the tuning part and, apart, of the held-out part (never looked at while tuning).
SUBJECTS = ["Về việc ban hành Quy chế làm việc của cơ quan", "Về việc điều động cán bộ đi công tác",
            "Triển khai công tác chuyển đổi số năm 2026", "Về tổ chức hội nghị sơ kết công tác quý I",
            "Về việc phân công nhiệm vụ thành viên Ban Chỉ đạo", "Thực hiện chế độ báo cáo thống kê định kỳ",
            "Về kiện toàn tổ chức bộ máy sau sắp xếp đơn vị hành chính", "Tăng cường công tác văn thư, lưu trữ",
            "Về việc tiếp nhận và xử lý văn bản điện tử", "Phòng, chống thiên tai và tìm kiếm cứu nạn năm 2026",
            "Về việc chuẩn bị tổ chức Đại hội đại biểu Đảng bộ", "Kết quả kiểm tra công tác cải cách hành chính"]
HELD_OUT_SUBJECTS = ["Về việc thành lập Tổ công tác rà soát văn bản", "Về công tác bảo vệ bí mật nhà nước",
                     "Hướng dẫn đánh giá, xếp loại chất lượng đảng viên năm 2026",
                     "Về việc cử cán bộ tham gia lớp bồi dưỡng nghiệp vụ", "Sơ kết sáu tháng đầu năm 2026",
                     "Về việc giao chỉ tiêu kế hoạch phát triển kinh tế - xã hội"]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Hữu", "Thanh", "Quốc", "Ngọc", "Xuân", "Thị Thu"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hải", "Hương", "Lan", "Long", "Nam", "Phương", "Quân", "Sơn", "Thắng",
         "Tuấn", "Việt", "Yến", "Hùng", "Đạt"]
BODY = ["Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
        "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;",
        "Theo đề nghị của Chánh Văn phòng và Giám đốc Sở Nội vụ.",
        "Các cơ quan, đơn vị có liên quan chịu trách nhiệm thi hành văn bản này kể từ ngày ký.",
        "Trong quá trình thực hiện, nếu có vướng mắc, đề nghị báo cáo kịp thời để xem xét, giải quyết.",
        "Thực hiện Kế hoạch số 15/KH-UBND ngày 10 tháng 01 năm 2026 về công tác năm 2026, yêu cầu các đơn vị "
        "khẩn trương triển khai, bảo đảm đúng tiến độ và chất lượng."]
# capture kinds: a flatbed scanner at 300, 200 or 150 ppi, or a phone photo
KINDS = ["office-300", "office-200", "office-150", "phone"]


@dataclass
class Scan:
    name: str
    kind: str
    part: str  # "tuning" or "held-out"
    truth: dict
    ppi: int
    colour: bool
    quality: int
    skew: float
    data: bytes = b""
    content_type: str = "image/jpeg"


def _font(size, bold=False, italic=False):
    style = {(False, False): "Regular", (True, False): "Bold", (False, True): "Italic",
             (True, True): "BoldItalic"}[(bold, italic)]
    for folder in FONT_DIRS:
        path = folder / f"LiberationSerif-{style}.ttf"
        # fonts-liberation 1.x lacks ơ/ư with tones: only the 2.x folder is taken for Vietnamese text
        if path.exists() and folder.name == "liberation2":
            return ImageFont.truetype(str(path), size)
    raise FileNotFoundError("fonts-liberation2 is not installed (scripts/ensure-system-packages installs it)")


def fonts_available():
    return (FONT_DIRS[0] / "LiberationSerif-Regular.ttf").exists()


def spec(index, rng, *, held_out=False):
    """Ground truth of document ``index``: alternately State and Party, every type and issuer in turn."""
    system = "state" if index % 2 == 0 else "party"
    province = rng.choice(PROVINCES)
    commune = rng.choice(COMMUNES)
    issuers = STATE_ISSUERS if system == "state" else PARTY_ISSUERS
    top, second, abbr, authority, positions = issuers[(index // 2 + (index // 12)) % len(issuers)]
    top, second = top.format(p=province.upper(), c=commune.upper()), second.format(p=province.upper(),
                                                                                  c=commune.upper())
    title, type_name, type_abbr = (STATE_TYPES if system == "state" else PARTY_TYPES)[(index // 2) % 6]
    number = rng.randint(1, 4999)
    if system == "state":
        symbol = f"{number}/{type_abbr}-{abbr}" if type_abbr else f"{number}/{abbr}-{rng.choice(['VP', 'TH', 'KT'])}"
    else:
        symbol = f"{number}-{type_abbr}/{abbr}"
    day = datetime.date(2026, 1, 1) + datetime.timedelta(days=rng.randint(0, 330))
    subject = rng.choice(HELD_OUT_SUBJECTS if held_out else SUBJECTS)
    name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    place = commune if "XÃ" in second and rng.random() < 0.5 else province
    return {"system": system, "top": top, "second": second, "title": title, "type_name": type_name,
            "symbol": symbol, "issued_on": day, "place": place, "subject": subject,
            "issuer_name": f"{top} {second}", "authority": authority, "positions": positions, "signer": name}


def truth_of(s):
    return {"symbol": s["symbol"], "issued_on": s["issued_on"].isoformat(), "issuer_name": s["issuer_name"],
            "type_name": s["type_name"], "subject": s["subject"], "signer": s["signer"]}


def render(s, seed=0):
    """An RGB page at 300 ppi of the document described by ``s`` (a :func:`spec`); the capture decides whether it
    stays in colour."""
    rng = random.Random(seed)
    ppi = RENDER_PPI
    width, height = int(A4[0] * ppi), int(A4[1] * ppi)
    page = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(page)
    pt = ppi / 72
    f13, f13b, f13i = _font(round(13 * pt)), _font(round(13 * pt), bold=True), _font(round(13 * pt), italic=True)
    f12, f12b, f14b = _font(round(12 * pt)), _font(round(12 * pt), bold=True), _font(round(14 * pt), bold=True)
    f11 = _font(round(11 * pt))
    # Decree 30: margins top 20-25 mm, left 30-35 mm, right 15-20 mm; header columns centred over each half
    left_c, right_c = int(width * 0.28), int(width * 0.68)
    y = int(0.8 * ppi)
    line_h = round(16 * pt)

    def center(text, x, y, font, fill=INK):
        draw.text((x - draw.textlength(text, font=font) / 2, y), text, font=font, fill=fill)

    def rule(x, y, length):
        draw.line((x - length / 2, y, x + length / 2, y), fill=INK, width=max(2, round(0.8 * pt)))

    center(s["top"], left_c, y, f12 if s["system"] == "state" else f13)
    center(s["second"], left_c, y + line_h, f13b)
    if s["system"] == "state":
        rule(left_c, y + 2.15 * line_h, draw.textlength(s["second"], font=f13b) * 0.5)
        center("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", right_c, y, f12b)
        center("Độc lập - Tự do - Hạnh phúc", right_c, y + line_h, f13b)
        rule(right_c, y + 2.15 * line_h, draw.textlength("Độc lập - Tự do - Hạnh phúc", font=f13b))
        y += round(2.7 * line_h)
        center(f"Số: {s['symbol']}", left_c, y, f13)
    else:
        center("*", left_c, y + 2 * line_h, f13)
        center("ĐẢNG CỘNG SẢN VIỆT NAM", right_c, y, f14b)
        rule(right_c, y + 1.2 * line_h, draw.textlength("ĐẢNG CỘNG SẢN VIỆT NAM", font=f14b))
        y += round(3 * line_h)
        center(f"Số {s['symbol']}", left_c, y, f13)
    date = s["issued_on"]
    day = f"{date.day:02d}" if date.day < 10 and rng.random() < 0.7 else str(date.day)
    month = f"{date.month:02d}" if date.month < 3 else str(date.month)
    center(f"{s['place']}, ngày {day} tháng {month} năm {date.year}", right_c, y + round(0.1 * line_h), f13i)
    y += line_h
    if s["title"] is None:  # công văn: "V/v ..." under the number, 12-13 pt upright
        for line in wrap_lines(draw, f"V/v {s['subject']}", f12, width * 0.36):
            center(line, left_c, y, f12)
            y += round(14 * pt)
        y += round(1.5 * line_h)
        center(f"Kính gửi: {s['top'].title()}", width // 2, y, f13)
        y += 2 * line_h
    else:
        y += round(1.6 * line_h)
        center(s["title"], width // 2, y, f14b)
        y += round(1.2 * line_h)
        for line in wrap_lines(draw, s["subject"], f14b, width * 0.62):
            center(line, width // 2, y, f14b)
            y += round(1.1 * line_h)
        rule(width // 2, y + 0.3 * line_h, width * 0.15)
        y += round(1.5 * line_h)
    margin, right_margin = int(1.18 * ppi), int(0.7 * ppi)
    indent = int(0.4 * ppi)
    for paragraph in rng.sample(BODY, 4):
        lines = wrap_lines(draw, paragraph, f13, width - margin - right_margin - indent)
        for n, line in enumerate(lines):
            draw.text((margin + (indent if n == 0 else 0), y), line, font=f13, fill=INK)
            y += round(1.25 * line_h)
        y += round(0.3 * line_h)
    # Recipients on the left, signer block on the right
    y += round(0.8 * line_h)
    draw.text((margin - int(0.3 * ppi), y), "Nơi nhận:", font=_font(round(12 * pt), bold=True, italic=True),
              fill=INK)
    for n, line in enumerate(["- Như trên;", "- Thường trực Tỉnh ủy;", "- Lưu: VT, VP."]):
        draw.text((margin - int(0.3 * ppi), y + round(14 * pt) * (n + 1)), line, font=f11, fill=INK)
    sign_c = int(width * 0.70)
    lines = ([s["authority"]] if s["authority"] else []) + s["positions"]
    for line in lines:
        center(line, sign_c, y, f13b)
        y += line_h
    # handwritten signature, then the seal over its left third and over the name's left part
    sig_top = y + round(0.3 * line_h)
    name_y = sig_top + int(0.95 * ppi)
    _signature(page, sign_c, sig_top + int(0.4 * ppi), ppi, rng)
    center(s["signer"], sign_c, name_y, f13b)
    _seal(page, sign_c - int(0.55 * ppi) + rng.randint(-30, 30), sig_top + int(0.45 * ppi) + rng.randint(-20, 40),
          int(0.72 * ppi), s, rng)
    return page


def _signature(page, cx, cy, ppi, rng):
    draw = ImageDraw.Draw(page)
    points = []
    x = cx - 0.5 * ppi
    for step in range(60):
        x += ppi / 60 * rng.uniform(0.6, 1.4)
        y = cy + math.sin(step / rng.uniform(2.0, 3.5)) * ppi * 0.18 + rng.uniform(-8, 8)
        points.append((x, y))
    draw.line(points, fill=SIGNATURE_BLUE, width=max(3, ppi // 90), joint="curve")
    draw.line([(cx - 0.4 * ppi, cy + 0.22 * ppi), (cx + 0.45 * ppi, cy - 0.1 * ppi)], fill=SIGNATURE_BLUE,
              width=max(3, ppi // 100))


def _seal(page, cx, cy, radius, s, rng):
    """A round red seal: two rings, the issuer's name around, a star in the middle; multiplied over the page as
    real ink would be (black stays black under red)."""
    size = radius * 2 + 8
    seal = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(seal)
    c = size // 2
    draw.ellipse((c - radius, c - radius, c + radius, c + radius), outline=255, width=max(4, radius // 22))
    inner = int(radius * 0.72)
    draw.ellipse((c - inner, c - inner, c + inner, c + inner), outline=255, width=max(2, radius // 45))
    star = [(c + inner * 0.45 * math.cos(math.pi / 2 + k * 4 * math.pi / 5),
             c - inner * 0.45 * math.sin(math.pi / 2 + k * 4 * math.pi / 5)) for k in range(5)]
    draw.polygon(star, fill=255)
    text = f"{s['top']} * {s['second']} *"
    font = _font(max(10, radius // 7), bold=True)
    for n, char in enumerate(text):
        angle = 2 * math.pi * n / len(text)
        glyph = Image.new("L", (radius // 4, radius // 4), 0)
        ImageDraw.Draw(glyph).text((2, 0), char, font=font, fill=255)
        glyph = glyph.rotate(-math.degrees(angle), expand=True)
        r = (radius + inner) / 2
        gx, gy = int(c + r * math.sin(angle) - glyph.size[0] / 2), int(c - r * math.cos(angle) - glyph.size[1] / 2)
        seal.paste(255, (gx, gy), glyph)
    strength = rng.uniform(0.75, 0.95)
    seal = seal.point(lambda v: int(v * strength))
    red = Image.new("RGB", seal.size, SEAL_RED)
    box = (cx - c, cy - c)
    region = page.crop((box[0], box[1], box[0] + size, box[1] + size))
    from PIL import ImageChops

    inked = ImageChops.multiply(region, red)
    region.paste(inked, (0, 0), seal)
    page.paste(region, box)


def capture(page, kind, rng, *, colour=True, quality=70, skew=0.0):
    """What the clerk's scanner or phone makes of ``page``: (bytes, content type, ppi)."""
    if kind == "phone":
        return _photo(page, rng, quality)
    ppi = int(kind.split("-")[1])
    if skew:
        page = page.rotate(skew, resample=Image.BICUBIC, expand=False, fillcolor=(255, 255, 255))
    size = (round(page.size[0] * ppi / RENDER_PPI), round(page.size[1] * ppi / RENDER_PPI))
    page = page.resize(size, Image.LANCZOS).filter(ImageFilter.GaussianBlur(radius=0.4))
    page = _grain(page, rng, 6)
    if not colour:
        page = page.convert("L")
    buf = io.BytesIO()
    page.save(buf, "JPEG", quality=quality, dpi=(ppi, ppi))
    return buf.getvalue(), "image/jpeg", ppi


def _grain(page, rng, amount):
    """Sensor grain of about ``amount`` grey levels, from ``rng`` (Image.effect_noise draws from C's rand(), which
    other code in the process moves: the same seed would give another scan)."""
    from PIL import ImageChops

    w, h = page.size
    tile = Image.frombytes("L", (w // 2 + 1, h // 2 + 1), rng.randbytes((w // 2 + 1) * (h // 2 + 1)))
    # uniform noise of +/- 1.7 amount (the spread of a Gaussian of sigma ``amount``), centred on 128
    spread = [128 + (v - 128) * amount * 17 // 1280 for v in range(256)]
    grain = tile.resize((w, h), Image.NEAREST).point(spread).convert(page.mode)
    return ImageChops.add(page, grain, scale=1.0, offset=-128)


def _photo(page, rng, quality):
    """A phone photo of the page lying on a desk: 3000 x 4000 px (12 Mpx) scaled to 1800 x 2400, page tilted in
    perspective, light falling off to one side, 72 dpi in the metadata."""
    out_w, out_h = 1800, 2400
    desk = Image.new("RGB", (out_w, out_h), (rng.randint(70, 110), rng.randint(60, 90), rng.randint(45, 70)))
    desk = _grain(desk, rng, 20)
    # the page's corners in the photo: inset 4-9 % with independent jitter (perspective)
    jitter = [(rng.uniform(0.03, 0.08) * out_w, rng.uniform(0.03, 0.07) * out_h) for _ in range(4)]
    quad = [(jitter[0][0], jitter[0][1]), (out_w - jitter[1][0], jitter[1][1]),
            (out_w - jitter[2][0], out_h - jitter[2][1]), (jitter[3][0], out_h - jitter[3][1])]
    pw, ph = page.size
    # Image.transform wants, for each output pixel, where it comes from: the inverse map quad -> page rectangle
    coeffs = perspective_coefficients(quad, [(0, 0), (pw, 0), (pw, ph), (0, ph)])
    warped = page.transform((out_w, out_h), Image.PERSPECTIVE, coeffs, Image.BICUBIC, fillcolor=(0, 0, 0))
    mask = Image.new("L", page.size, 255).transform((out_w, out_h), Image.PERSPECTIVE, coeffs, Image.BILINEAR)
    desk.paste(warped, (0, 0), mask)
    # light: a linear fall-off across the page plus a soft shadow blob (the phone and the hand)
    light = Image.linear_gradient("L").rotate(rng.choice([0, 90, 180, 270])).resize((out_w, out_h))
    low = rng.randint(130, 175)
    light = light.point(lambda v: low + (255 - low) * v // 255)
    shadow = Image.new("L", (out_w, out_h), 0)
    sx, sy = rng.randint(0, out_w), rng.randint(0, out_h)
    ImageDraw.Draw(shadow).ellipse((sx - 700, sy - 500, sx + 700, sy + 500), fill=60)
    shadow = shadow.filter(ImageFilter.GaussianBlur(150))
    from PIL import ImageChops

    light = ImageChops.subtract(light, shadow)
    photo = ImageChops.multiply(desk, Image.merge("RGB", (light, light, light)))
    photo = photo.filter(ImageFilter.GaussianBlur(radius=0.7))
    photo = _grain(photo, rng, 8)
    buf = io.BytesIO()
    photo.save(buf, "JPEG", quality=quality, dpi=(72, 72))
    return buf.getvalue(), "image/jpeg", 72


def perspective_coefficients(source, target):
    """The 8 coefficients of Image.PERSPECTIVE that map each point of ``source`` (where the output pixel is) to
    ``target`` (where to read it), solved from the four point pairs."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(source, target, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rhs.append(u)
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs.append(v)
    return _solve(rows, rhs)


def _solve(a, b):
    """Gaussian elimination with partial pivoting (8 unknowns: no need for numpy)."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        if abs(m[col][col]) < 1e-12:
            raise ValueError("degenerate quadrilateral")
        for r in range(n):
            if r != col:
                factor = m[r][col] / m[col][col]
                for k in range(col, n + 1):
                    m[r][k] -= factor * m[col][k]
    return [m[i][n] / m[i][i] for i in range(n)]


def make_set(count=64, seed=2026, held_out_from=48, held_out_salt=500):
    """``count`` captured documents; the ones from ``held_out_from`` on are the held-out part (other seeds and
    other subjects). Capture kinds rotate: office 300 ppi, office 200 ppi, office 150 ppi, phone photo.
    A held-out document's rng seed is ``seed * 1000 + index + held_out_salt``: a salt far from the tuning
    indices keeps its seeds apart from every seed the tuning part used."""
    scans = []
    for index in range(count):
        held_out = index >= held_out_from
        rng = random.Random(seed * 1000 + index + (held_out_salt if held_out else 0))
        s = spec(index, rng, held_out=held_out)
        kind = KINDS[index % 4] if index % 8 != 5 else "office-300"  # more office scans than 150 ppi ones
        colour = kind == "phone" or rng.random() < 0.6
        quality = rng.randint(40, 80)
        skew = round(rng.uniform(-1.5, 1.5), 2) if kind != "phone" else 0.0
        page = render(s, seed=index)
        data, content_type, ppi = capture(page, kind, rng, colour=colour, quality=quality, skew=skew)
        scans.append(Scan(name=f"doc-{index:03d}-{kind}.jpg", kind=kind, part="held-out" if held_out else "tuning",
                          truth=truth_of(s), ppi=ppi, colour=colour, quality=quality, skew=skew, data=data,
                          content_type=content_type))
    return scans


def directory():
    """Issuer names a deployment's unit directory would hold for these documents: every issuer form in every
    province and commune of the generator (hundreds of names, of which each document's is one)."""
    names = set()
    for top, second, *_ in STATE_ISSUERS + PARTY_ISSUERS:
        for province in PROVINCES:
            for commune in COMMUNES:
                names.add(f"{top} {second}".format(p=province.upper(), c=commune.upper()))
    return sorted(names)
