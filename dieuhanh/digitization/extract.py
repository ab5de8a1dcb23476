"""Metadata from the OCR text of a document's first page: number and symbol, date and place, issuer, type and subject.

Pure Python and total: any text gives an :class:`Extracted` (fields it cannot find stay empty), never an error.
It understands the two layouts of DOMAIN.md:

- State (Decree 30/2020): ``Số: 12/QĐ-UBND``, công văn ``Số: 123/UBND-VP`` (no type abbreviation);
- Party (Regulation 399-QĐ/TW): ``Số 127-QĐ/TW``, ``15-CV/TU``.

OCR errors it forgives: ``QD`` for ``QĐ`` (known abbreviations are restored), ``O``/``l`` inside the number,
stray spaces around ``/`` and ``-``, the national motto read on the same line as the issuer.
"""

import datetime
import re
import unicodedata
from dataclasses import asdict, dataclass, field

from dieuhanh.documents.doctypes import PARTY_TYPES, STATE_TYPES
from dieuhanh.kernel.text import fold

from . import vocab

# Abbreviations whose Đ/đ OCR tends to read as D; folded spelling -> proper spelling. Types first, then issuers.
KNOWN_ABBREVIATIONS = {fold(a): a for _, a in STATE_TYPES + PARTY_TYPES if a}
KNOWN_ABBREVIATIONS.update({fold(a): a for a in (
    "UBND", "HĐND", "TW", "VPTW", "TU", "ĐU", "CB", "UBKTTU", "UBKT", "BTC", "BTG", "BDV", "BTCTW", "VP", "TCCB",
    "MTTQ", "ĐTN", "HLHPN", "HND", "HCCB", "LĐLĐ", "TTg", "CP", "VPCP", "BNV", "STC", "SNV", "KTTH", "QLĐT")})
KNOWN_ABBREVIATIONS["qyd"] = "QyĐ"
KNOWN_ABBREVIATIONS["ctr"] = "CTr"
KNOWN_ABBREVIATIONS["ttr"] = "TTr"

# folded type name -> (name, State abbreviation, Party abbreviation)
TYPE_NAMES = {}
for _name, _abbr in STATE_TYPES:
    TYPE_NAMES.setdefault(fold(_name), [_name, "", ""])[1] = _abbr
for _name, _abbr in PARTY_TYPES:
    TYPE_NAMES.setdefault(fold(_name), [_name, "", ""])[2] = _abbr
TYPE_BY_ABBR = {}
for _folded, (_name, _state, _party) in TYPE_NAMES.items():
    for _abbr in (_state, _party):
        if _abbr:
            TYPE_BY_ABBR.setdefault(fold(_abbr), _name)

# Words and names of issuer headings, to restore the diacritics OCR drops from capital letters ("TINH UY" ->
# "TỈNH ỦY"). Phrases first (longest match wins), then single words; only capitalized words are touched.
PROVINCES = ("Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế", "Lai Châu", "Điện Biên", "Sơn La",
             "Lạng Sơn", "Quảng Ninh", "Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Cao Bằng", "Tuyên Quang", "Lào Cai",
             "Thái Nguyên", "Phú Thọ", "Bắc Ninh", "Hưng Yên", "Ninh Bình", "Quảng Trị", "Quảng Ngãi", "Gia Lai",
             "Khánh Hòa", "Lâm Đồng", "Đắk Lắk", "Đồng Nai", "Tây Ninh", "Vĩnh Long", "Đồng Tháp", "Cà Mau",
             "An Giang", "Hà Giang", "Yên Bái", "Bắc Giang", "Vĩnh Phúc", "Hải Dương", "Thái Bình", "Hà Nam",
             "Nam Định", "Quảng Bình", "Quảng Nam", "Kon Tum", "Bình Định", "Phú Yên", "Đắk Nông", "Ninh Thuận",
             "Bình Thuận", "Bình Phước", "Bình Dương", "Long An", "Tiền Giang", "Bến Tre", "Trà Vinh",
             "Sóc Trăng", "Hậu Giang", "Kiên Giang", "Bạc Liêu", "Bà Rịa - Vũng Tàu", "Thừa Thiên Huế")
HEADING_WORDS = (
    "ỦY BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN", "ĐẢNG BỘ", "TỈNH ỦY", "THÀNH ỦY", "HUYỆN ỦY", "ĐẢNG ỦY", "CHI BỘ",
    "BAN CHẤP HÀNH TRUNG ƯƠNG", "BAN TỔ CHỨC", "BAN TUYÊN GIÁO", "BAN DÂN VẬN", "BAN NỘI CHÍNH", "ỦY BAN KIỂM TRA",
    "VĂN PHÒNG", "SỞ NỘI VỤ", "SỞ TÀI CHÍNH", "SỞ", "BỘ", "TỈNH", "THÀNH PHỐ", "XÃ", "PHƯỜNG", "ĐẶC KHU",
    "MẶT TRẬN TỔ QUỐC", "CÔNG AN", "TRUNG ƯƠNG", "CHÍNH PHỦ", "THỦ TƯỚNG", "NỘI VỤ", "TÀI CHÍNH", "GIÁO DỤC",
    "ĐÀO TẠO", "Y TẾ", "CÔNG THƯƠNG", "KẾ HOẠCH", "ĐẦU TƯ", "TƯ PHÁP", "XÂY DỰNG", "NÔNG NGHIỆP", "MÔI TRƯỜNG",
    "KHOA HỌC", "CÔNG NGHỆ", "VĂN HÓA", "THỂ THAO", "DU LỊCH", "LAO ĐỘNG", "CỰU CHIẾN BINH", "ĐOÀN THANH NIÊN",
    "HỘI LIÊN HIỆP PHỤ NỮ", "HỘI NÔNG DÂN", "LIÊN ĐOÀN LAO ĐỘNG", "ĐẢNG", "CỘNG SẢN", "VIỆT NAM",
    # the signer's positions
    "CHỦ TỊCH", "PHÓ", "BÍ THƯ", "GIÁM ĐỐC", "TRƯỞNG BAN", "CHỦ NHIỆM", "CHÁNH VĂN PHÒNG", "THƯỜNG TRỰC",
    "BAN THƯỜNG VỤ", "THƯỜNG VỤ", "TRƯỞNG", "CHÁNH")
HEADING_VOCAB = {}
for _phrase in sorted({p.upper() for p in PROVINCES} | set(HEADING_WORDS), key=lambda p: -len(p.split())):
    HEADING_VOCAB.setdefault(tuple(fold(_phrase).split()), _phrase.split())

HEADING_TOKENS = {token for key in HEADING_VOCAB for token in key} | set(KNOWN_ABBREVIATIONS)
MOTTOS = ("cong hoa xa hoi chu nghia viet nam", "doc lap - tu do - hanh phuc", "doc lap tu do hanh phuc",
          "dang cong san viet nam")
_ABBR = r"[A-ZĐ][A-Za-zĐđ0-9]{0,9}"
_NO = r"[0-9OoIl]{1,5}"
# "Số: 12/QĐ-UBND", "Số: 123/UBND-VP" (State)
STATE_SYMBOL = re.compile(rf"(?<![\w/-])({_NO})\s?/\s?({_ABBR}(?:\s?-\s?{_ABBR}){{0,3}})(?![\w/])")
# "Số 127-QĐ/TW", "15-CV/TU" (Party)
PARTY_SYMBOL = re.compile(rf"(?<![\w/-])({_NO})\s?-\s?({_ABBR})\s?/\s?({_ABBR}(?:\s?-\s?{_ABBR}){{0,2}})(?![\w/])")
NUMBER_PREFIX = re.compile(r"S[ốoôồổóòõọ6é][:;.,]?\s*$|S[ốoô]\s*[:;]?\s*$", re.IGNORECASE)
DATE = re.compile(r"ng\w{1,2}y\s*(\d{1,2})\s*th\w{1,3}ng\s*(\d{1,2})\s*,?\s*n\w{1,2}m\s*(\d{4})", re.IGNORECASE)
SUBJECT_STOP = ("can cu", "kinh gui", "thuc hien", "dieu 1", "noi nhan", "quyet dinh:", "xet de nghi", "xet to trinh")
# Tesseract's vie model reads a bold Đ as the Icelandic eth (Ð, ð) now and then
LOOKALIKES = str.maketrans({"Ð": "Đ", "ð": "đ", "—": "-", "–": "-"})


@dataclass
class Extracted:
    system: str = ""  # "state" or "party" (from the symbol's shape)
    number: int | None = None
    symbol: str = ""  # as registered: "12/QĐ-UBND" or "127-QĐ/TW"
    type_abbreviation: str = ""
    issuer_abbreviation: str = ""
    issued_on: datetime.date | None = None
    place: str = ""
    issuer_name: str = ""
    type_name: str = ""
    subject: str = ""
    signer_name: str = ""
    signer_position: str = ""  # "PHÓ CHỦ TỊCH"
    signer_authority: str = ""  # "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH"
    authority: str = ""  # the signer's own authority form (documents.AuthorityForm): "KT." in the line above
    found: list = field(default_factory=list)
    # fields the clerk should look at: the extraction's own checks failed (confidence alone does not tell)
    doubtful: list = field(default_factory=list)

    def as_dict(self):
        data = asdict(self)
        data["issued_on"] = self.issued_on.isoformat() if self.issued_on else None
        return data


def restore_heading(text):
    """Put back the diacritics of known heading words and place names in a capitalized heading."""
    words = text.split(" ")
    folded = [fold(w) for w in words]
    out, i = [], 0
    longest = max(len(k) for k in HEADING_VOCAB)
    while i < len(words):
        for size in range(min(longest, len(words) - i), 0, -1):
            key = tuple(folded[i:i + size])
            if key in HEADING_VOCAB and all(_is_upper(w) or not any(c.isalpha() for c in w) for w in words[i:i + size]):
                out.extend(HEADING_VOCAB[key])
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return " ".join(out)


def _clean_lines(text):
    text = unicodedata.normalize("NFC", str(text or "")).replace("\f", "\n")
    lines = []
    for raw in text.split("\n"):
        line = re.sub(r"[ \t\u00a0]+", " ", raw).strip()
        line = line.translate(LOOKALIKES)
        if line:
            lines.append(line)
    return lines


def _strip_motto(line):
    """Remove the national or Party motto read onto the same line as the issuer (two columns OCR'd as one)."""
    words = [w for w in line.split(" ") if w.strip("-*_")]
    folded = [fold(w).strip(".,;:") for w in words]
    for motto in MOTTOS:
        target = [w for w in motto.split(" ") if w != "-"]
        for at in range(len(folded) - len(target) + 1):
            if folded[at:at + len(target)] == target:
                del words[at:at + len(target)]
                del folded[at:at + len(target)]
                break
    return " ".join(words).strip(" -*")


def _abbr(part):
    part = re.sub(r"\s", "", part)
    known = KNOWN_ABBREVIATIONS.get(fold(part))
    if known is None and len(part) >= 3:
        # one letter too many, as OCR doubles a bold Đ ("QĐĐ") or reads a stray I ("UBIKTTU"): the known
        # abbreviation one deletion away, when there is exactly one
        near = {KNOWN_ABBREVIATIONS[fold(part[:i] + part[i + 1:])] for i in range(len(part))
                if fold(part[:i] + part[i + 1:]) in KNOWN_ABBREVIATIONS}
        known = near.pop() if len(near) == 1 else None
    return known or part


def _number(raw):
    digits = raw.translate(str.maketrans("OoIl", "0011"))
    try:
        value = int(digits)
    except ValueError:
        return None
    return value if 0 < value < 100000 else None


def _find_symbol(lines, result):
    """The first number/symbol, preferring one after 'Số'; Party shape first since it is the more specific."""
    candidates = []
    for index, line in enumerate(lines[:40]):
        for kind, pattern in (("party", PARTY_SYMBOL), ("state", STATE_SYMBOL)):
            for match in pattern.finditer(line):
                after_so = bool(NUMBER_PREFIX.search(line[:match.start()]))
                if kind == "state" and "-" in line[max(0, match.start() - 8):match.start()]:
                    continue  # the tail of a Party symbol such as "127-QĐ/TW" matched as "QĐ/TW"
                candidates.append((not after_so, index, kind, match))
        if any(c[0] is False for c in candidates):
            break
    for _, index, kind, match in sorted(candidates, key=lambda c: (c[0], c[1], c[2] != "party")):
        number = _number(match.group(1))
        if number is None:
            continue
        if kind == "party":
            type_abbr, issuer = _abbr(match.group(2)), "-".join(_abbr(p) for p in re.split(r"\s?-\s?", match.group(3)))
            if fold(type_abbr) not in TYPE_BY_ABBR and fold(type_abbr) not in KNOWN_ABBREVIATIONS:
                continue
            result.symbol = f"{match.group(1) if match.group(1).isdigit() else number}-{type_abbr}/{issuer}"
            result.type_abbreviation, result.issuer_abbreviation = type_abbr, issuer
        else:
            parts = [_abbr(p) for p in re.split(r"\s?-\s?", match.group(2))]
            if fold(parts[0]) in TYPE_BY_ABBR and len(parts) > 1:
                result.type_abbreviation, result.issuer_abbreviation = parts[0], parts[1]
            else:  # công văn: "123/UBND-VP"
                result.issuer_abbreviation = parts[0]
            result.symbol = f"{match.group(1) if match.group(1).isdigit() else number}/{'-'.join(parts)}"
        result.system, result.number = kind, number
        result.found.append("symbol")
        return index, match
    return None, None


def _find_date(lines, result, symbol_line):
    best = None
    for index, line in enumerate(lines[:40]):
        for match in DATE.finditer(line):
            day, month, year = (int(g) for g in match.groups())
            try:
                date = datetime.date(year, month, day)
            except ValueError:
                continue
            if not 1900 < year < 2200:
                continue
            before = line[:match.start()]
            # the place-and-date line: "Hà Nội, ngày ..." near the number; "Căn cứ ... ngày ..." is the body
            score = (0 if before.rstrip().endswith(",") else 1,
                     0 if symbol_line is None or abs(index - symbol_line) <= 3 else 1, index)
            if best is None or score < best[0]:
                best = (score, index, date, before)
    if best is None:
        return None
    _, index, date, before = best
    result.issued_on = date
    result.found.append("issued_on")
    place = before.rstrip(" ,")
    symbol_at = max((m.end() for p in (PARTY_SYMBOL, STATE_SYMBOL) for m in p.finditer(place)), default=0)
    place = place[symbol_at:].strip(" ,.:;-*")
    place = re.sub(r"^(V/v|Về việc)\b.*", "", place).strip()
    if place and len(place) <= 60 and not fold(place).startswith("so"):
        result.place = place
    return index


def _is_upper(line):
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def _find_issuer(lines, result, stop):
    parts = []
    for line in lines[:stop if stop is not None else 6]:
        line = _strip_motto(line)
        line = re.sub(r"\s*S[ốoô6]\s*[:.]?\s*$", "", line)
        for pattern in (PARTY_SYMBOL, STATE_SYMBOL):
            line = pattern.split(line)[0] if pattern.search(line) else line
        line = DATE.split(line)[0] if DATE.search(line) else line
        line = re.sub(r"\bS[ốoô6]\s*[:.]?\s*$", "", line).strip(" -*_=.,:;")
        if not line or not _is_upper(line) or len(line) < 2:
            continue
        if fold(line) in TYPE_NAMES:
            break
        parts.append(line)
        if len(parts) == 3:
            break
    if parts:
        result.issuer_name = restore_heading(re.sub(r"\s+", " ", " ".join(parts)))[:255]
        result.found.append("issuer_name")


def _find_type_and_subject(lines, result, start):
    start = 0 if start is None else start + 1
    for index in range(start, min(len(lines), start + 12)):
        line = lines[index]
        if DATE.search(line) and not fold(line).startswith("v/"):
            continue
        folded = fold(line).strip(" .:")
        if folded.startswith("v/v") or folded.startswith("v/ v"):
            result.type_name = result.type_name or "Công văn"
            subject = re.sub(r"^V\s?/\s?v\.?\s*", "", line, flags=re.IGNORECASE)
            result.subject = _subject_tail(subject, lines, index + 1)
            break
        if _is_upper(line) and folded in TYPE_NAMES:
            result.type_name = TYPE_NAMES[folded][0]
            result.subject = _subject_tail("", lines, index + 1)
            break
    if result.type_abbreviation and fold(result.type_abbreviation) in TYPE_BY_ABBR:
        result.type_name = TYPE_BY_ABBR[fold(result.type_abbreviation)]  # the symbol is the more reliable
    if not result.type_name and result.symbol and result.system == "state" and not result.type_abbreviation:
        result.type_name = "Công văn"
    if result.type_name:
        result.found.append("type_name")
    if result.subject:
        result.found.append("subject")


def _subject_tail(first, lines, index):
    parts = [first] if first else []
    for line in lines[index:index + 4]:
        folded = fold(line)
        # the first line after the title is the subject whatever it starts with ("Thực hiện …")
        if (not line.strip(" -_=*.") or (parts and folded.startswith(SUBJECT_STOP))
                or re.match(r"^[-_=*. ]{3,}$", line) or (_is_upper(line) and parts) or DATE.search(line)):
            break
        parts.append(line.strip())
        if len(" ".join(parts)) > 300:
            break
    subject = re.sub(r"\s+", " ", " ".join(parts)).strip(" -_")
    return re.sub(r"(?<= )\|(?= |$)", "I", subject)[:2000]  # "quý |": a capital I read as a bar


def extract(text, directory=(), words=None):
    """Everything that can be read from the first page's flat text; never raises. ``directory``: the issuer names
    known to the system (units and organs), to restore an issuer's spelling and judge it."""
    result = Extracted()
    lines = _clean_lines(text)
    if not lines:
        _finish(result, "", directory, words, fallback=False)
        return result
    symbol_line, _ = _find_symbol(lines, result)
    date_line = _find_date(lines, result, symbol_line)
    header_end = min(x for x in (symbol_line, date_line, 6) if x is not None)
    _find_issuer(lines, result, header_end if header_end > 0 else 1)
    _find_type_and_subject(lines, result, symbol_line if symbol_line is not None else date_line)
    _finish(result, text, directory, words, fallback=False)
    return result


def extract_result(result, directory=()):
    """Read an OCR result (ocr.OcrResult): by layout when Tesseract's hOCR is there, else from the flat text."""
    hocr = getattr(result, "first_page_hocr", "")
    if hocr:
        return extract_layout(hocr, directory=directory)
    return extract(result.first_page_text, directory=directory)


STATE_SHAPE = re.compile(r"^\d{1,5}/[A-ZĐ][A-Za-zĐđ]{0,9}(-[A-ZĐ][A-Za-zĐđ0-9]{0,9}){0,3}$")
PARTY_SHAPE = re.compile(r"^\d{1,5}-[A-ZĐ][A-Za-zĐđ]{0,9}/[A-ZĐ][A-Za-zĐđ0-9]{0,9}(-[A-ZĐ][A-Za-zĐđ0-9]{0,9}){0,2}$")


def match_directory(name, directory):
    """The directory's spelling of an issuer read with lost or wrong diacritics, or None. The folded names must
    agree up to a slip or two of OCR (one per 8 letters)."""
    if not name or not directory:
        return None
    key = fold(name).replace(" ", "")
    best, best_distance = None, None
    for known in directory:
        other = fold(known).replace(" ", "")
        if abs(len(other) - len(key)) > 3:
            continue
        distance = 0 if other == key else _distance(other, key)
        if best_distance is None or distance < best_distance:
            best, best_distance = known, distance
    if best is not None and best_distance <= len(key) // 8:
        return best.upper() if _is_upper(name) else best
    return None


def _finish(result, flat, directory, words, fallback=True):
    """Fill what the layout missed from the flat reading, repair spellings, and mark the doubtful fields."""
    if fallback and flat:
        plain = extract(flat, directory=(), words=words)
        for name in ("symbol", "system", "number", "type_abbreviation", "issuer_abbreviation", "issued_on", "place",
                     "issuer_name", "type_name", "subject"):
            if not getattr(result, name) and getattr(plain, name):
                setattr(result, name, getattr(plain, name))
                result.doubtful.append(name)  # not where the layout says it should be
    known = match_directory(result.issuer_name, directory)
    if known:
        result.issuer_name = known
    if result.subject:
        result.subject = vocab.repair(result.subject)
    doubtful = set(result.doubtful)
    if not result.symbol or not (PARTY_SHAPE if result.system == "party" else STATE_SHAPE).match(result.symbol):
        doubtful.add("symbol")
    elif result.type_abbreviation and fold(result.type_abbreviation) not in TYPE_BY_ABBR:
        doubtful.add("symbol")
    today = datetime.date.today()
    if not result.issued_on or not datetime.date(1945, 9, 2) <= result.issued_on <= today + datetime.timedelta(30):
        doubtful.add("issued_on")
    if not result.issuer_name or (directory and not known):
        doubtful.add("issuer_name")
    if not result.type_name:
        doubtful.add("type_name")
    if (not result.subject or len(result.subject) > SUBJECT_MAX or len(result.subject) < 8
            or vocab.unknown_share(result.subject) > 0.15):
        doubtful.add("subject")
    if (not result.signer_name or len(result.signer_name.split()) < 3
            or not vocab.is_surname(result.signer_name.split()[0])):
        doubtful.add("signer_name")
    order = ["symbol", "issued_on", "issuer_name", "type_name", "subject", "signer_name"]
    result.doubtful = [name for name in order if name in doubtful]
    for name in ("issued_on", "issuer_name", "type_name", "subject", "symbol", "signer_name"):
        if getattr(result, name) and name not in result.found:
            result.found.append(name)


# --- Layout: the first page read by the words' positions (hOCR), issue 18 -----------------------------------------

_HOCR_WORD = re.compile(r"<span class=['\"]ocrx_word['\"][^>]*title=['\"]bbox (\d+) (\d+) (\d+) (\d+)[^'\"]*['\"][^>]*>"
                        r"(.*?)</span>", re.S)
_HOCR_LINE = re.compile(r"<span class=['\"](?:ocr_line|ocr_header|ocr_caption|ocr_textfloat)['\"]")
_HOCR_PAGE = re.compile(r"class=['\"]ocr_page['\"][^>]*bbox (\d+) (\d+) (\d+) (\d+)")
_TAG = re.compile(r"<[^>]+>")
AUTHORITY = re.compile(r"^(TM|KT|TL|TUQ|Q|T/M|K/T|T/L|T/UQ)[.:]?\s", re.IGNORECASE)
# "V/v" as OCR reads it in italics: "V/v", "Vív", "V¿V", "W/v", "V/ v:"
VV_PREFIX = re.compile(r"^[VW\\|]\S{0,2}?\s?[vVy]\s*[.:]?\s+")
SUBJECT_MAX = 300  # a trích yếu longer than this has run on into the body
SO_LINE = re.compile(r"^S[ốoôồổóòõọ6é]\s*[:;.,]?\s*\d", re.IGNORECASE)
SLASH_AS_DIGIT = re.compile(r"(?<=\d)[71l|](?=[A-ZĐ][A-Za-zĐđ]{0,5}-)")
AUTHORITY_TOKEN = re.compile(r"(?:^|\s)(TM|KT|TL|TUQ|Q|T/M|K/T|T/L|T/UQ)[.:]?(?=\s)", re.IGNORECASE)
AUTHORITY_FORMS = {"tm": "TM.", "kt": "KT.", "tl": "TL.", "tuq": "TUQ.", "q": "Q."}


@dataclass
class Segment:
    """A run of words on one line with no wide gap inside: one column's part of the line."""
    text: str
    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def cx(self):
        return (self.x0 + self.x1) / 2

    @property
    def height(self):
        return self.y1 - self.y0


def segments_from_hocr(hocr):
    """(page width, page height, segments top to bottom). Tesseract often joins the two header columns into one
    line ("Số: 12/UBND-VP   Hà Nội, ngày ..."); a gap wider than about two letter heights splits them again."""
    import html

    page = _HOCR_PAGE.search(hocr or "")
    if not page:
        return 0, 0, []
    width, height = int(page.group(3)), int(page.group(4))
    segments = []
    for chunk in _HOCR_LINE.split(hocr)[1:]:
        words = [(int(a), int(b), int(c), int(d), html.unescape(_TAG.sub("", w)).strip())
                 for a, b, c, d, w in _HOCR_WORD.findall(chunk)]
        words = [w for w in words if w[4]]
        if not words:
            continue
        line_h = sorted(w[3] - w[1] for w in words)[len(words) // 2] or 1
        run = [words[0]]
        for word in words[1:]:
            if word[0] - run[-1][2] > max(2.2 * line_h, width * 0.04):
                segments.append(_segment(run))
                run = []
            run.append(word)
        segments.append(_segment(run))
    segments.sort(key=lambda s: (s.y0, s.x0))
    return width, height, segments


def _segment(words):
    text = unicodedata.normalize("NFC", " ".join(w[4] for w in words)).translate(LOOKALIKES)
    return Segment(text, min(w[0] for w in words), min(w[1] for w in words), max(w[2] for w in words),
                   max(w[3] for w in words))


def _fuzzy_type(text):
    """The type name a (possibly misread) centred title line spells, or None."""
    folded = fold(text).strip(" .:")
    if folded in TYPE_NAMES:
        return TYPE_NAMES[folded][0]
    if not _is_upper(text) or len(folded) > 30:
        return None
    best = min(TYPE_NAMES, key=lambda name: _distance(name, folded))
    return TYPE_NAMES[best][0] if _distance(best, folded) <= max(1, len(best) // 6) else None


def _distance(a, b):
    """Levenshtein distance (short strings only)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def extract_layout(hocr, directory=(), words=None):
    """Everything that can be read from the first page by layout; falls back to the flat text's reading for a field
    the layout does not give. Never raises."""
    width, height, segments = segments_from_hocr(hocr)
    flat = "\n".join(s.text for s in segments)
    if not segments or not width:
        return extract(flat, directory=directory, words=words)
    result = Extracted()
    mid = width / 2
    left = [s for s in segments if s.cx < mid * 0.95 and s.x1 < mid * 1.15]
    right = [s for s in segments if s.cx > mid * 1.05 and s.x0 > mid * 0.85]
    # centred: equal margins on both sides (an indented first body line can have its middle near the page's)
    centred = [s for s in segments if abs(s.cx - mid) < width * 0.035 and s.x1 - s.x0 < width * 0.8]
    # the title: the first centred line spelling a type name, in the upper half
    title = next((s for s in centred if s.y0 < height * 0.5 and _fuzzy_type(s.text)), None)
    # the body: the first wide line, but not one centred under the title as the title is: a long subject's first
    # line is as wide as a body line, and taking it for the body left the subject to the flat text, which ran on
    # into the body (body lines sit on the text area's margins, off the title's axis by 30 px and more at 300 ppi)
    body_top = next((s.y0 for s in segments if s.x1 - s.x0 > width * 0.6 and s.y0 > height * 0.12
                     and not (title and s.y0 > title.y0 and abs(s.cx - title.cx) < width * 0.01)), height)
    header_end = min(title.y0 if title else height, body_top)
    header = [s for s in segments if s.y1 <= header_end + 2]
    # number and symbol: the left column of the header first, then the whole header, never the body
    symbol_seg = None
    for pool in ([s for s in header if s in left], header):
        lines = [s.text for s in pool]
        index, _ = _find_symbol(lines, result)
        if index is not None:
            symbol_seg = pool[index]
            break
    # date and place: the right column of the header ("Hà Nội, ngày ..."), then the header
    for pool in ([s for s in header if s in right], header):
        if _find_date([s.text for s in pool], result, None) is not None:
            break
    if symbol_seg is None:
        # the "Số:" line is there but no symbol reads on it: the slash is often read as 7 or 1 ("23917TB-UBND")
        symbol_seg = next((s for s in header if s in left and SO_LINE.match(s.text)), None)
        if symbol_seg is not None:
            repaired = SLASH_AS_DIGIT.sub("/", symbol_seg.text)
            if repaired != symbol_seg.text and _find_symbol([repaired], result)[0] is not None:
                result.doubtful.append("symbol")
    # issuer: the capitalized left-column lines above the number
    top_limit = symbol_seg.y0 if symbol_seg else header_end
    issuer_lines = [s.text for s in header if s in left and s.y1 <= top_limit + 2]
    if issuer_lines:
        _find_issuer(issuer_lines, result, len(issuer_lines))
    if title:
        result.type_name = _fuzzy_type(title.text)
        result.subject = _subject_block(centred, title, width, body_top)
    else:
        result.subject = _vv_block(left, symbol_seg, header_end, height)
        if result.subject:
            result.type_name = "Công văn"
    if result.type_abbreviation and fold(result.type_abbreviation) in TYPE_BY_ABBR:
        result.type_name = TYPE_BY_ABBR[fold(result.type_abbreviation)]
    if not result.type_name and result.symbol and result.system == "state" and not result.type_abbreviation:
        result.type_name = "Công văn"
    _find_signer(segments, result, width, height)
    _finish(result, flat, directory, words)
    return result


def _subject_block(centred, title, width, body_top):
    """The centred lines under the title, up to the rule: the body starts after a wider gap (the rule's) or with a
    full-width line, and an indented one-line paragraph can look centred, so both stop it."""
    parts, last = [], title
    for seg in centred:
        if seg.y0 <= title.y0:
            continue
        if seg.y0 - last.y1 > 0.9 * max(last.height, seg.height) or seg.y0 >= body_top - 2:
            break
        # the first line is the subject whatever it starts with ("Thực hiện ..."); a later "Căn cứ" is the body
        if (parts and fold(seg.text).startswith(SUBJECT_STOP)) or re.fullmatch(r"[-_=*. ]+", seg.text):
            break
        parts.append(seg.text)
        last = seg
    return _clean_subject(" ".join(parts))


def _vv_block(left, symbol_seg, header_end, height):
    """The công văn's "V/v ..." lines under the number, in the left column."""
    if symbol_seg is None:
        return ""
    parts, last = [], symbol_seg
    for seg in left:
        if seg.y0 <= symbol_seg.y0 + symbol_seg.height * 0.5:
            continue
        if seg.y0 - last.y1 > 1.5 * max(last.height, seg.height) or seg.y0 > height * 0.5:
            break
        if fold(seg.text).startswith(SUBJECT_STOP):
            break
        parts.append(seg.text)
        last = seg
    if not parts:
        return ""
    parts[0] = VV_PREFIX.sub("", parts[0])
    return _clean_subject(" ".join(parts))


def _clean_subject(text):
    text = re.sub(r"\s+", " ", text).strip(" -_'\"`‘’“”.,")  # a speck read as a quote or a dot at either end
    return re.sub(r"(?<= )\|(?= |$)", "I", text)[:2000]


def _find_signer(segments, result, width, height):
    """The signer block, right half below the body: authority (TM./KT./TL./TUQ., T/M ...), position lines in
    capitals, then the full name under the signature and the seal."""
    mid = width / 2
    block = [s for s in segments if s.y0 > height * 0.3 and s.x0 > mid * 0.8 and s.x1 - s.x0 < width * 0.5]
    start = next((i for i, s in enumerate(block) if AUTHORITY.match(s.text) or
                  (_is_upper(s.text) and len(s.text.split()) <= 6 and not fold(s.text).startswith("noi nhan"))), None)
    if start is None:
        return
    lines, name = [], ""
    for seg in block[start:]:
        if _is_upper(seg.text) and not name:
            lines.append(seg.text)
            continue
        candidate = _name_words(seg.text)
        if candidate:
            name = candidate
    # only the capitalized words: the signature's strokes read as "vWNMH" or "“““”" go
    lines = [restore_heading(" ".join(w for w in line.split() if AUTHORITY.match(w + " ") or (
        _is_upper(w) and fold(w.strip(".,;:")) in HEADING_TOKENS))) for line in lines]
    lines = [line for line in lines if line]
    authority = [line for line in lines if AUTHORITY.match(line)]
    result.signer_authority = " ".join(authority)
    forms = [AUTHORITY_FORMS.get(fold(m.group(1)).replace("/", ""))
             for m in AUTHORITY_TOKEN.finditer(result.signer_authority)]
    # "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH": the signer's own form is the last one (KT.)
    result.authority = next((f for f in reversed(forms) if f), "")
    result.signer_position = " ".join(line for line in lines if line not in authority)[:150]
    result.signer_name = name[:150]
    if name:
        result.found.append("signer_name")


def _name_words(text):
    """A Vietnamese full name at the end of ``text`` (2 to 5 capitalized words), dropping the debris the seal or
    the signature left before it."""
    words = [w.strip(".,;:'\"`") for w in text.split()]
    tail = []
    for word in reversed(words):
        if word.isalpha() and word[0].isupper() and (len(word) == 1 or word[1:].islower()) and len(word) <= 7:
            tail.insert(0, word)
        else:
            break
    return " ".join(tail) if 2 <= len(tail) <= 5 else ""
