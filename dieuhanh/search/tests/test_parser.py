"""The query parser and snippets take anything a person can type."""

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from dieuhanh.search import text

VIET = st.text(alphabet=st.sampled_from(list("aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíị"
                                             "òỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵĐ\"'/-:() 0123456789QĐUBND*^~")),
               max_size=80)
TOKEN = re.compile(r"^[a-z0-9]+$")


def strip_marks(value):
    return "".join(c for c in unicodedata.normalize("NFD", value) if not unicodedata.combining(c))


@given(st.one_of(st.text(max_size=200), VIET))
@settings(max_examples=300, deadline=None)
def test_any_input_parses_to_safe_tokens(raw):
    parsed = text.parse_query(raw)
    for term in parsed.terms:
        assert TOKEN.match(term)
    for phrase in parsed.phrases:
        assert phrase and all(TOKEN.match(w) for w in phrase)
    for token in parsed.accents:
        assert TOKEN.match(token) and token.startswith(text.ACCENT_PREFIX)
    assert len(parsed.terms) <= text.MAX_QUERY_TERMS and len(parsed.accents) <= text.MAX_QUERY_TERMS


@given(VIET)
@settings(max_examples=200, deadline=None)
def test_folded_and_accented_queries_agree_on_words(raw):
    """Typing with or without diacritics gives the same words to match; only the ranking tokens differ."""
    plain = text.parse_query(strip_marks(raw).replace("đ", "d").replace("Đ", "D"))
    accented = text.parse_query(raw)
    assert plain.terms == accented.terms and plain.phrases == accented.phrases


def test_symbols_become_phrases():
    for typed, words in [("12/QĐ-UBND", ["12", "qd", "ubnd"]), ("127-QĐ/TW", ["127", "qd", "tw"]),
                         ("Số: 123/UBND-VP", ["123", "ubnd", "vp"]), ("15-CV/TU về", ["15", "cv", "tu"])]:
        parsed = text.parse_query(typed)
        assert parsed.phrases == [words], typed
    assert text.symbol_key("Số: 12/QĐ-UBND") == text.symbol_key("12/qd-ubnd") == "12/qd-ubnd"


def test_unbalanced_quotes_close_at_the_end():
    assert text.parse_query('"điều động cán bộ').phrases == [["dieu", "dong", "can", "bo"]]


@given(st.text(max_size=300), st.lists(st.text(max_size=10), max_size=5))
@settings(max_examples=200, deadline=None)
def test_snippets_are_escaped(body, words):
    out = str(text.snippet(body, [w for w in words]))
    stripped = out.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in stripped and ">" not in stripped


def test_snippet_marks_words_as_written():
    out = str(text.snippet("Về việc ĐIỀU ĐỘNG cán bộ <b>", ["dieu", "dong"]))
    assert "<mark>ĐIỀU</mark> <mark>ĐỘNG</mark>" in out and "&lt;b&gt;" in out
