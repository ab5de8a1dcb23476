"""Vietnamese text helpers: NFC normalization, diacritic folding for search, collation keys for sorting.

``đ``/``Đ`` have no Unicode decomposition, so a plain NFD + strip-marks pass leaves them alone; they are
mapped explicitly.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, overload

if TYPE_CHECKING:
    from typing import Any

    from django.db.models import Model

_SPACES = re.compile(r"\s+")

# Vietnamese alphabet order; f, j, w, z appear in foreign names and are slotted in Latin order.
_ALPHABET = [
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n",
    "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
]  # fmt: skip
# Tone order used by Vietnamese dictionaries: level, grave, hook, tilde, acute, dot below.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
# Marks that make a distinct letter (ă â ê ô ơ ư) rather than a tone.
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


# Typed in two shapes so callers that pass text get ``str`` back, not ``str | None``.
@overload
def nfc(value: None) -> None: ...
@overload
def nfc(value: str) -> str: ...
def nfc(value: object) -> str | None:
    """Return ``value`` in NFC with surrounding whitespace stripped; ``None`` stays ``None``."""
    if value is None:
        return None
    return unicodedata.normalize("NFC", str(value)).strip()


def fold(value: object) -> str:
    """Fold for search: lower case, no diacritics, đ -> d, whitespace collapsed.

    >>> fold("Điều động  Cán bộ")
    'dieu dong can bo'
    """
    if not value:
        return ""
    text = unicodedata.normalize("NFC", str(value)).replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return _SPACES.sub(" ", text).strip().lower()


def _b36(n: int) -> str:
    return _DIGITS[n // 36] + _DIGITS[n % 36]


def _letter_and_tone(char: str) -> tuple[str, int]:
    """Split one lower-case character into (letter, tone) following Vietnamese rules."""
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[0], decomposed[1:]
    tone = 0
    letter_marks = ""
    for mark in marks:
        if mark in _TONES:
            tone = _TONES[mark]
        elif mark in _LETTER_MARKS:
            letter_marks += mark
    letter = unicodedata.normalize("NFC", base + letter_marks)
    return letter, tone


def vi_sort_key(value: str | None) -> str:
    """A collation key that sorts Vietnamese text in dictionary order when compared byte-wise.

    Letters compare first (a < ă < â < b ... d < đ ...), then tones, then case. The key uses only
    ``[0-9a-z]`` so it sorts the same under any database collation (C, en_US, SQLite BINARY).
    """
    text = unicodedata.normalize("NFC", value or "").strip()
    primary, tones, case = [], [], []
    for char in text:
        lower = char.lower()
        if lower.isspace():
            primary.append("00")
            continue
        if lower.isdigit() and lower.isascii():
            primary.append("0" + lower)  # digits sort before letters
            continue
        letter, tone = _letter_and_tone(lower)
        if letter in _ALPHABET:
            primary.append(_b36(20 + _ALPHABET.index(letter)))
            tones.append(str(tone))
            case.append("1" if char != lower else "0")
        elif lower.isalnum():
            primary.append("zz")  # other scripts after the Vietnamese alphabet
        # punctuation carries no weight, as in dictionary sorting
    return ("".join(primary) + "0" + "".join(tones) + "0" + "".join(case))[:250]


# One rule for control characters in text (decision 0032): U+0000-U+001F except tab, CR and LF carry no meaning
# in a document's text, PostgreSQL cannot store NUL, and openpyxl refuses them all in a cell.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def has_control(value: str) -> bool:
    """Whether ``value`` holds a control character other than tab, CR, LF."""
    return bool(CONTROL.search(value))


def strip_control(value: str) -> str:
    """``value`` without control characters other than tab, CR, LF."""
    return CONTROL.sub("", value)


def cell(value: object) -> object:
    """A value safe for an .xlsx cell: text loses the characters openpyxl refuses, anything else passes."""
    return strip_control(value) if isinstance(value, str) else value


# The audit log is hashed as written; its text is already clean, having come through the rule below.
_UNCLEANED_APPS = {"audit"}


def clean_model_text(sender: type[Model], instance: Model, raw: bool = False, **kwargs: Any) -> None:
    """pre_save: every text field of every model loses control characters other than tab, CR, LF, so text that
    arrives by other paths than HTTP (handover and scan imports, management commands, jobs) follows the same
    rule as forms (decision 0032)."""
    if raw or sender._meta.app_label in _UNCLEANED_APPS:
        return
    for field in sender._meta.concrete_fields:
        if field.get_internal_type() in ("CharField", "TextField", "SlugField", "EmailField"):
            value = getattr(instance, field.attname)
            if isinstance(value, str) and CONTROL.search(value):
                setattr(instance, field.attname, strip_control(value))
