"""Vietnamese words, to put back the diacritics OCR drops on lower-case words of a subject ("Vé việc", "nam 2026")
and to tell a garbled subject from a sound one.

Two sources, both on the machine (nothing is downloaded): the syllables of Debian's hunspell-vi dictionary (every
valid Vietnamese syllable), and the running Vietnamese text of the project's own catalogue and domain reference,
which gives how often each spelling occurs and which spelling follows which word (the bigrams decide between
"nam" and "năm").
"""

import functools
import re
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

from dieuhanh.kernel.text import fold

HUNSPELL = Path("/usr/share/hunspell/vi_VN.dic")
ROOT = Path(__file__).resolve().parent.parent
CORPUS = (ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po", Path(__file__).resolve().parent / "words_vi.txt")
_WORD = re.compile(r"[^\W\d_]+")
YEAR = re.compile(r"\b([Nn][aăâ]m|NAM)(?=\s+(?:19|20)\d\d\b)")


@functools.cache
def lexicon():
    """(valid syllables, spelling counts by folded form, bigram counts by folded pair)."""
    syllables = set()
    if HUNSPELL.exists():
        for line in HUNSPELL.read_text(encoding="utf-8", errors="replace").splitlines()[1:]:
            word = line.split("/")[0].strip().lower()
            if word and " " not in word:
                syllables.add(word)
    spellings = defaultdict(Counter)
    bigrams = defaultdict(Counter)
    for path in CORPUS:
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".po":  # only the Vietnamese side
            text = "\n".join(m for m in re.findall(r'^msgstr "(.*)"$', text, re.M))
        for sentence in re.split(r"[.,;:!?()\n\"]", text):
            words = [w.lower() for w in _WORD.findall(sentence)]
            for index, word in enumerate(words):
                spellings[fold(word)][word] += 1
                if index:
                    bigrams[(fold(words[index - 1]), fold(word))][(words[index - 1], word)] += 1
    return syllables, spellings, bigrams


def is_word(word):
    syllables, spellings, _ = lexicon()
    lower = word.lower()
    return lower in syllables or lower in spellings.get(fold(lower), {})


def repair(text):
    """The subject with the diacritics of misread lower-case words put back where the word list is sure."""
    syllables, spellings, bigrams = lexicon()
    text = YEAR.sub(lambda m: "Năm" if m.group(1)[0] == "N" else "năm", text)  # "nam 2026": a year follows
    if not spellings:
        return text
    tokens = re.split(r"([^\w]+)", text)  # words at even places, separators between them at odd ones
    words = [i for i in range(0, len(tokens), 2) if _WORD.fullmatch(tokens[i])]

    def neighbour(i, step):
        # a neighbour across punctuation ("quan, đơn") is no context
        j = i + 2 * step
        sep = tokens[min(i, j) + 1] if 0 <= j < len(tokens) else ""
        return tokens[j] if 0 <= j < len(tokens) and sep.isspace() and _WORD.fullmatch(tokens[j]) else None

    for n, i in enumerate(words):
        token = tokens[i]
        if not token.islower() and not (n == 0 and token[:1].isupper() and token[1:].islower()):
            continue  # names and abbreviations keep their spelling
        lower, key = token.lower(), fold(token)
        votes = Counter()
        before, after = neighbour(i, -1), neighbour(i, 1)
        for pair, count in (bigrams.get((fold(before), key), {}) if before else {}).items():
            votes[pair[1]] += count
        for pair, count in (bigrams.get((key, fold(after)), {}) if after else {}).items():
            votes[pair[0]] += count
        choice = None
        if votes and lower not in votes and sum(votes.values()) >= 2:
            choice = votes.most_common(1)[0][0]
        elif lower not in syllables and lower not in spellings.get(key, {}) and spellings.get(key):
            choice = spellings[key].most_common(1)[0][0]
        if choice and choice != lower:
            tokens[i] = choice[0].upper() + choice[1:] if token[0].isupper() else choice
    return "".join(tokens)


def unknown_share(text):
    """Share of the words of ``text`` that are no Vietnamese syllable (a garbled line scores high)."""
    words = [w for w in _WORD.findall(text) if w.islower()]
    if not words or not lexicon()[0]:
        return 0.0
    return sum(not is_word(w) for w in words) / len(words)


# Vietnamese surnames (họ): the common ones and the rarer ones of officials' names, for the signer's check. A
# name under the seal misread by one mark ("Đã" for "Đỗ") is still three words; its first word is no surname.
SURNAMES = frozenset("""
Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đào Đoàn Vương Trịnh Trương Đinh Lâm
Mai Tô Hà Cao Lương Lưu Quách Tạ Thái Văn Triệu Chu Kiều Khổng Kha La Lại Lục Mạc Mạch Nghiêm Ninh Nông Ông
Phó Phùng Quan Tăng Thân Thạch Tiêu Tôn Từ Ưng Vi Viên Âu Bạch Bế Cù Cung Diệp Doãn Đàm Đậu Địch Đồng Giang
Giáp Hàn Hầu Hứa Khúc Khuất Khương Kim Lã Lạc Lò Lục Lường Mã Mẫn Mông Ngạc Nghiêm Ngọ Ngọc Nhan Nhữ Ôn Phí
Quang Sầm Sơn Tán Tào Thiều Thịnh Tòng Tống Trang Trà Trình Trưng Tưởng Vòng Vương Xa Yên Âu Dư Dương Hoa
Hồng Lang Lăng Lê Liêu Lư Nhâm Quản Thang Thôi Trác Trâu Uông Vạn Vi Bành Biện Cấn Chế Chung Công Đàm Điêu
Đới Hạ Hoa Kiều Lữ Mạnh Mộc Ngũ Phương Tất Thủy Vưu Yết
""".split())


def is_surname(word: str) -> bool:
    return unicodedata.normalize("NFC", word) in SURNAMES
