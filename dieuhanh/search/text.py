"""Turning documents and queries into index words, and hits back into highlighted snippets.

Both back-ends index the same thing: folded words made only of ``[a-z0-9]`` (so no tokenizer of SQLite or
PostgreSQL ever splits a word differently from us), followed by one "accent token" per distinct accented word.
An accent token is the word as written (lower case, NFC) in hex behind a prefix no folded word starts with, so a
query typed with diacritics can rank documents with exactly those words first without a second index.
"""

import functools
import hashlib
import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import mark_safe

from dieuhanh.kernel.text import fold, nfc

WORD = re.compile(r"[a-z0-9]+")
# Index-only tokens start with "zq". A word people write may start so too ("ZQuest", a code): in the index and in
# queries such a word is escaped behind ESCAPE_PREFIX, which no index-only token starts with, so the two sets
# never meet and a typed word is searched like any other (issue 14, item 16; decision 0034).
INTERNAL = "zq"
ESCAPE_PREFIX = "zqz"
ACCENT_PREFIX = "zqx"
UNIT_PREFIX, PERSON_PREFIX, LEVEL_PREFIX, MONTH_PREFIX = "zqu", "zqp", "zqc", "zqm"
PAIR_PREFIX = "zqb"
MAX_INDEXED_CHARS = 400_000  # a tsvector holds 1 MB; longer file texts are cut
MAX_QUERY_TERMS = 12
MAX_JOINED_TOKENS = 600  # reader tokens x months in one query; more runs them as two groups
# "12/QĐ-UBND", "123/UBND-VP", "127-QĐ/TW", "15-CV/TU": a number, then / or -, then letters.
SYMBOL = re.compile(r"(?<![\w/])(?:số\s*:?\s*)?(\d{1,6}\s*[/-]\s*[^\W\d_][\w.]*(?:\s*[/-]\s*[^\W_][\w.]*)*)",
                    re.IGNORECASE)


def words(text):
    """Folded words of ``text``: "Điều động" -> ["dieu", "dong"]."""
    return WORD.findall(fold(text))


def index_word(word):
    """The token a folded word is indexed and matched as: itself, or escaped when it looks like an index token."""
    return ESCAPE_PREFIX + word if word.startswith(INTERNAL) else word


def accent_token(word):
    return ACCENT_PREFIX + word.encode().hex()


def reader_tokens(*, units=(), people=(), level=0):
    """Who may open a document, as index tokens: the units whose members may, the persons who handle it, and its
    confidentiality level. Searches add the reader's own tokens to the match, so the full-text index narrows to
    what the reader may open before any row is read; the exact permission check still runs on what it returns."""
    return ([f"{UNIT_PREFIX}{u}" for u in sorted(set(units))] + [f"{PERSON_PREFIX}{p}" for p in sorted(set(people))]
            + [f"{LEVEL_PREFIX}{level}"])


def pair_token(first, second):
    """One token for two adjacent words. PostgreSQL checks a phrase by re-reading every row that holds all of its
    words (10,000+ rows for two common syllables at 1M documents); with the pair's token in the match, the GIN
    index itself narrows to rows holding the pair, and only those are re-read for the exact adjacency. A 40-bit
    hash keeps the token short; a collision only adds a candidate that the adjacency check then drops."""
    digest = hashlib.blake2b(f"{first} {second}".encode(), digest_size=5).hexdigest()
    return PAIR_PREFIX + digest


def pair_tokens(folded_words):
    return sorted({pair_token(a, b) for a, b in zip(folded_words, folded_words[1:], strict=False)})


def month_token(day):
    """The month a document sorts under, so broad searches can read the newest months first."""
    return f"{MONTH_PREFIX}{day.year:04d}{day.month:02d}"


def reader_month(reader, month):
    """A reader token joined to a month token: "zqu12" and "zqm202611" give "zqu12m202611"."""
    return f"{reader}m{month[len(MONTH_PREFIX):]}"


def dated_tokens(readers, day):
    """The month ``day`` falls in, alone (for people who read everything) and joined to each unit and person
    reader token. A broad search by a reader matches their months as joined tokens: one short posting list per
    unit and month, where a unit token and month tokens apart are long lists that the GIN index must merge (at
    1M documents, 62 ms for a clerk's 27-month slice)."""
    month = month_token(day)
    return [month] + [reader_month(t, month) for t in readers if t.startswith((UNIT_PREFIX, PERSON_PREFIX))]


def accented_words(text):
    """Lower-case words of ``text`` that carry a diacritic or đ, as written (NFC)."""
    out = []
    for word in re.findall(r"[^\W_]+", nfc(text or "").lower()):
        if not word.isascii():
            out.append(word)
    return out


def index_fields(text, readers=()):
    """The index row's two token columns for ``text`` read by ``readers`` (see :func:`reader_tokens`):
    ``folded``, the words, accent tokens and reader tokens that are matched and ranked, and ``pairs``, the pair
    tokens, kept apart so that ranking reads a vector of the words only (decision 0019, "Phrases")."""
    text = (text or "")[:MAX_INDEXED_CHARS]
    folded = words(text)
    accents = sorted({accent_token(w) for w in accented_words(text)})
    # pair tokens are hashes behind their own prefix in their own column: made from the words as they are
    return {"folded": " ".join([index_word(w) for w in folded] + accents + list(readers)),
            "pairs": " ".join(pair_tokens(folded))}


def symbol_key(symbol):
    """A number and symbol reduced for comparison: "Số: 12/QĐ-UBND" and "12/qd-ubnd" both give "12/qd-ubnd"."""
    value = fold(symbol or "")
    value = re.sub(r"^so\s*:?\s*", "", value)
    return re.sub(r"\s+", "", value)[:100]


@dataclass
class ParsedQuery:
    """Free text split into what the back-ends match: all ``terms`` (AND), all ``phrases`` (adjacent words),
    and ``accents``, the tokens of accented words for ranking."""

    terms: list = field(default_factory=list)
    phrases: list = field(default_factory=list)
    accents: list = field(default_factory=list)

    # Any of these reader tokens (OR), and any of these confidentiality levels; None means no restriction.
    readers: list | None = None
    levels: list | None = None
    months: list | None = None  # set by the back-end while it reads a broad query's newest months first

    def scope_groups(self):
        """Token groups that narrow the match (any token of a group, every group): the reader's tokens, their
        confidentiality levels and, for a broad query, the months being read, as joined tokens when they are
        few enough (see :func:`dated_tokens`)."""
        groups = [g for g in (self.readers, self.months, self.levels) if g is not None]
        if self.readers is not None and self.months is not None and \
                len(self.readers) * len(self.months) <= MAX_JOINED_TOKENS:
            # The plain reader tokens stay beside the joined ones although they narrow nothing more: the GIN
            # index checks them only on the joined tokens' rows, and without them PostgreSQL estimates the OR of
            # many rare joined tokens at a quarter of the table and walks the date index instead.
            groups = [[reader_month(r, m) for r in self.readers for m in self.months], self.readers] + groups[2:]
        return groups

    @property
    def empty(self):
        return not (self.terms or self.phrases)

    def highlight_words(self):
        found = list(self.terms)
        for phrase in self.phrases:
            found.extend(phrase)
        return found


def parse_query(raw):
    """Parse what a person typed. Never fails: unbalanced quotes close at the end, punctuation is dropped, and
    anything that folds to no word is ignored. Numbers and symbols ("12/QĐ-UBND") become phrases."""
    text = nfc(raw or "")[:500]
    parsed = ParsedQuery()
    pieces = re.split(r'"', text)
    for i, piece in enumerate(pieces):
        quoted = i % 2 == 1
        if quoted:
            phrase = words(piece)
            if len(phrase) > 1:
                parsed.phrases.append(phrase)
            elif phrase:
                parsed.terms.extend(phrase)
            parsed.accents.extend(accent_token(w) for w in accented_words(piece))
            continue
        for match in SYMBOL.finditer(piece):
            phrase = words(match.group(1))
            if len(phrase) > 1:
                parsed.phrases.append(phrase)
        rest = SYMBOL.sub(" ", piece)
        parsed.terms.extend(words(rest))
        parsed.accents.extend(accent_token(w) for w in accented_words(rest))
    # Bounded work for any input: duplicates dropped, at most MAX_QUERY_TERMS of each kind. Terms stay as typed
    # (for highlighting and typo correction); the back-ends match them through :func:`index_word`.
    parsed.terms = list(dict.fromkeys(parsed.terms))[:MAX_QUERY_TERMS]
    parsed.phrases = [p[:MAX_QUERY_TERMS] for p in parsed.phrases[:MAX_QUERY_TERMS]]
    parsed.accents = list(dict.fromkeys(parsed.accents))[:MAX_QUERY_TERMS]
    return parsed


# --- Snippets ------------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=8192)
def _fold_char(char):
    # Cached: a snippet folds every character of a document's text, and a text uses a few hundred distinct ones
    # (folding each afresh took more time than the search queries themselves).
    folded = fold(char) if not char.isspace() else " "
    return folded[:1] if folded else " "


def snippet(text, highlight, *, width=220):
    """A piece of ``text`` around the first hit with every hit wrapped in ``<mark>``; HTML-escaped and safe.

    Hits are found on the folded text, which has one character per character of the original, so the marks land
    on the words as written, diacritics and all.
    """
    text = nfc(text or "")
    if not text:
        return ""
    folded = "".join(_fold_char(c) for c in text)
    wanted = sorted({w for w in highlight if w}, key=len, reverse=True)
    spans = []
    if wanted:
        pattern = re.compile(r"(?<![a-z0-9])(?:" + "|".join(re.escape(w) for w in wanted) + r")(?![a-z0-9])")
        spans = [(m.start(), m.end()) for m in pattern.finditer(folded)]
    start = max(0, spans[0][0] - width // 3) if spans else 0
    end = min(len(text), start + width)
    if start > 0:  # begin at a word boundary
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    out, pos = [], start
    for s, e in spans:
        if s < start or s >= end:
            continue
        out.append(escape(text[pos:s]))
        out.append("<mark>" + escape(text[s:min(e, end)]) + "</mark>")
        pos = min(e, end)
    out.append(escape(text[pos:end]))
    result = "".join(out).replace("\n", " ")
    return mark_safe(("…" if start > 0 else "") + result + ("…" if end < len(text) else ""))

