"""Two full-text back-ends behind one interface: SQLite FTS5 for the embedded default, PostgreSQL tsvector + GIN
(with pg_trgm for typos) in production. Both take the same parsed query and the same permission check, and
return ``(document_id, score, sort_date)`` rows in the same order, keyset-paginated.

How a search runs (see docs/decisions/0019-search.md):
1. The full-text index matches the words AND the reader's tokens (their units, themselves, the confidentiality
   levels they are cleared for), so it only hands back documents the reader may plausibly open.
2. "By date" puts the candidates newest first. "By relevance" ranks the newest ``RANK_WINDOW`` candidates:
   ranking every match of a word found in half a million documents would read half a million rows for one page.
   A document containing every accented word exactly as typed gets ``ACCENT_BONUS`` on top of its rank, so
   "điều động" lists documents with "điều động" before those with "điều đồng".
3. The exact permission check (the rule of the document page, a correlated EXISTS) runs last, on the ordered
   candidates, until the page is full; the count runs it on every document it counts.
4. A broad query (more than ``RANK_WINDOW`` matches) is answered from the most recent months first: every index
   row carries its month, alone and joined to each reader token, and the match is narrowed to a slice of recent
   months sized from the density the count saw, before it is run on everything. Whenever a slice holds enough
   matches, the newest matches overall are all inside it, so the answer is the same as without slicing; only the
   rows read are fewer.
"""

import copy
import datetime

from django.db import connection

from .text import index_word, month_token, pair_tokens

ACCENT_BONUS = 1000.0
RANK_WINDOW = 1000
ENTRY = "search_searchentry"


def _keyset(sort, cursor):
    """Condition continuing after ``cursor`` on the outer columns (document_id, score, sort_date)."""
    if not cursor:
        return "", []
    if sort == "date":
        day, doc_id = cursor
        return "AND (r.sort_date < %s OR (r.sort_date = %s AND r.document_id < %s))", [day, day, doc_id]
    score, doc_id = cursor
    return "AND (r.score < %s OR (r.score = %s AND r.document_id < %s))", [score, score, doc_id]


SLICES = (3, 12, 36)  # months back from the newest month that can hold a match


def _months(newest, back):
    """Month tokens from ``newest`` back over ``back`` months (a year ahead of today is covered too: documents
    dated in the future sort first)."""
    year, month = newest.year, newest.month
    out = []
    for _ in range(back):
        out.append(month_token(datetime.date(year, month, 1)))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out


def _slices(anchor, backs=SLICES):
    """Month-token lists, narrowest first, for the newest matches at or before ``anchor`` (None: from now)."""
    if anchor is None:
        ahead = datetime.date.today() + datetime.timedelta(days=366)
        return [_months(ahead, back + 12) for back in backs]
    return [_months(anchor, back) for back in backs]


# The widest slice worth reading. Each month of a slice is one more posting list that the GIN index must merge
# before anything else: at 1M documents a clerk's two-word query took 15 ms on everything and 640 ms in a
# 100-month slice. A query that needs a wider slice to fill its window is run on everything.
MAX_SLICE = 36


def _backs_for(recent, enough):
    """Slices sized from the density the count measured: ``recent`` matches in the last ``SLICES[0]`` months.
    Aiming at twice ``enough`` expected matches skips the slices too narrow to hold the window (each one a wasted
    index scan) and avoids one far wider than needed (rows read for nothing)."""
    if not recent or not SLICES:
        return SLICES
    per_month = recent / SLICES[0]
    # as narrow as one month: a page of 20 "by date" over a common word needs no more
    first = max(1, -(-2 * enough // per_month))
    return tuple(int(b) for b in (first, first * 4) if b <= MAX_SLICE)


class Backend:
    vendor = ""
    # Matches in the newest slice, measured by count() when it looked there; page() sizes its slices from it.
    recent = None
    # What keeps an ordered subquery from being merged into the query around it.
    keep_order = ""

    def _candidates(self, parsed, *, ranking):
        """SQL of ``document_id, sort_date`` (and what ranking needs) of the index rows matching ``parsed``:
        the words and the reader's tokens, before the exact permission check."""
        raise NotImplementedError

    def _visible(self, visible_sql):
        """The exact permission check as a condition on the outer row ``e``."""
        return f"EXISTS ({visible_sql})"

    def _ranked(self, parsed, candidates, params):
        raise NotImplementedError

    def page(self, parsed, visible_sql, visible_params, *, sort, cursor, limit, broad=False):
        """One page; ``broad`` (more matches than the ranking window) answers from the newest months first."""
        if not broad:
            return self._page(parsed, visible_sql, visible_params, sort=sort, cursor=cursor, limit=limit)
        enough = RANK_WINDOW if sort == "relevance" else limit
        anchor = cursor[0] if (sort == "date" and cursor) else None
        backs = _backs_for(self.recent, enough) if anchor is None else SLICES
        for months in _slices(anchor, backs):
            sliced = copy.copy(parsed)
            sliced.months = months
            rows, window = self._page(sliced, visible_sql, visible_params, sort=sort, cursor=cursor, limit=limit,
                                      with_window=True)
            if window >= enough:
                return rows
        return self._page(parsed, visible_sql, visible_params, sort=sort, cursor=cursor, limit=limit)

    def _page(self, parsed, visible_sql, visible_params, *, sort, cursor, limit, with_window=False):
        """Rows of one page; with ``with_window`` also how many rows the slice offered (the ranking window, or
        for "by date" the rows of this page).

        The candidates are put in order first and the exact permission check runs last, on them in that order,
        until the page is full: a page of 20 checks about 20 documents, not every candidate of a broad query.
        The reader's tokens already narrowed the candidates to what the reader may plausibly open."""
        where, extra = _keyset(sort, cursor)
        cands, params = self._candidates(parsed, ranking=sort == "relevance")
        if sort == "date":
            order = "sort_date DESC, document_id DESC"
            ordered = (f"SELECT r.document_id, 0.0 AS score, r.sort_date, 0 AS n FROM ({cands}) r "
                       f"WHERE 1=1 {where} ORDER BY {order}")
        else:
            window = (f"SELECT * FROM ({cands}) c ORDER BY c.sort_date DESC, c.document_id DESC "
                      f"LIMIT {RANK_WINDOW}")
            ranked, params = self._ranked(parsed, window, params)
            # n: the size of the whole window (before the keyset), which tells a slice that holds enough matches
            order = "score DESC, document_id DESC"
            ordered = (f"SELECT r.* FROM (SELECT q.*, count(*) OVER () AS n FROM ({ranked}) q) r "
                       f"WHERE 1=1 {where} ORDER BY {order}")
        sql = (f"SELECT e.document_id, e.score, e.sort_date, e.n FROM ({ordered} {self.keep_order}) e "
               f"WHERE {self._visible(visible_sql)} ORDER BY {order} LIMIT %s")
        with connection.cursor() as cur:
            cur.execute(sql, params + extra + list(visible_params) + [limit])
            rows = cur.fetchall()
        out = [(row[0], float(row[1]), _as_date(row[2])) for row in rows]
        if not with_window:
            return out
        if sort == "relevance":
            return out, (rows[0][3] if rows else 0)
        return out, len(rows)

    def count(self, parsed, visible_sql, visible_params, *, cap):
        """How many documents match, counted up to ``cap + 1`` only: large result sets say "more than cap". A
        recent slice that already holds more than ``cap`` answers without reading the older months."""
        if not SLICES:
            return self._count(parsed, visible_sql, visible_params, cap=cap)
        sliced = copy.copy(parsed)
        # the narrowest slice first: a selective query pays one cheap look
        sliced.months = _slices(None, SLICES[:1])[0]
        self.recent = n = self._count(sliced, visible_sql, visible_params, cap=cap)
        if n > cap:
            return n
        # A reader's widest slice is cheap (joined tokens, see text.dated_tokens) and should hold enough by the
        # density seen; an administrator's is 36 posting lists of every document of a month, dearer than the words
        if parsed.readers is not None and n / SLICES[0] * SLICES[-1] > 2 * cap:
            sliced.months = _slices(None, SLICES[-1:])[0]
            n = self._count(sliced, visible_sql, visible_params, cap=cap)
            if n > cap:
                return n
        return self._count(parsed, visible_sql, visible_params, cap=cap)

    def _count(self, parsed, visible_sql, visible_params, *, cap):
        cands, params = self._candidates(parsed, ranking=False)
        with connection.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM (SELECT 1 FROM ({cands}) e WHERE {self._visible(visible_sql)} "
                        f"LIMIT %s) c", params + list(visible_params) + [cap + 1])
            return cur.fetchone()[0]

    def similar_words(self, word, *, limit=3):
        """Index words close to ``word`` (typos). Only PostgreSQL has this."""
        return []

    def known_words(self, words):
        return set(words)


class SqliteBackend(Backend):
    vendor = "sqlite"
    keep_order = "LIMIT -1"

    @staticmethod
    def match(parsed):
        # Every token is [a-z0-9]+, so quoting cannot be broken out of.
        parts = [f'"{index_word(t)}"' for t in parsed.terms] + [
            '"' + " ".join(map(index_word, p)) + '"' for p in parsed.phrases]
        for group in parsed.scope_groups():
            parts.append("(" + " OR ".join(f'"{t}"' for t in group) + ")")
        return " AND ".join(parts)

    def _candidates(self, parsed, *, ranking):
        match = self.match(parsed)
        if not match:  # an administrator's empty search: every document
            return f"SELECT e.document_id, e.sort_date FROM {ENTRY} e", []
        return (f"SELECT e.document_id, e.sort_date FROM search_fts f JOIN {ENTRY} e ON e.document_id = f.rowid "
                f"WHERE search_fts MATCH %s", [match])

    def _ranked(self, parsed, window, params):
        if parsed.empty:
            return f"SELECT w.document_id, 0.0 AS score, w.sort_date FROM ({window}) w", params
        bonus, extra = "0.0", []
        if parsed.accents:
            bonus = (f"CASE WHEN w.document_id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s) "
                     f"THEN {ACCENT_BONUS} ELSE 0.0 END")
            extra = [" ".join(f'"{t}"' for t in parsed.accents)]
        # BM25 of the words alone (reader and month tokens would weigh in otherwise); its statistics are the
        # whole index's, so a rowid-bound lookup scores like the full query. Negated: higher is better.
        words_only = self.match(type(parsed)(terms=parsed.terms, phrases=parsed.phrases))
        base = "(SELECT -bm25(search_fts) FROM search_fts WHERE search_fts MATCH %s AND rowid = w.document_id)"
        return (f"SELECT w.document_id, ({bonus} + {base}) AS score, w.sort_date FROM ({window}) w",
                extra + [words_only] + params)


class PostgresBackend(Backend):
    vendor = "postgresql"
    keep_order = "OFFSET 0"

    @staticmethod
    def tsquery(parsed):
        parts = [index_word(t) for t in parsed.terms] + [
            "(" + " <-> ".join(map(index_word, p)) + ")" for p in parsed.phrases]
        for group in parsed.scope_groups():
            parts.append("(" + " | ".join(group) + ")")
        return " & ".join(parts)

    def _visible(self, visible_sql):
        # OFFSET 0 keeps the permission check a per-candidate subplan (a primary-key lookup each): pulled up
        # into a join, the planner would scan every document to build the reader's visible set first.
        return f"EXISTS ({visible_sql} OFFSET 0)"

    def _candidates(self, parsed, *, ranking):
        tsv = ", e.search_tsv AS tsv" if ranking else ""
        query = self.tsquery(parsed)
        if not query:  # an administrator's empty search: every document, newest first
            return f"SELECT e.document_id, e.sort_date{tsv} FROM {ENTRY} e", []
        sql = (f"SELECT e.document_id, e.sort_date{tsv} FROM {ENTRY} e "
               f"WHERE e.search_tsv @@ to_tsquery('simple', %s)")
        params = [query]
        # Phrases also need their pair tokens (their own column and GIN index): the index then hands back only
        # rows holding each pair, and only those are re-read for the exact adjacency.
        pairs = sorted({t for phrase in parsed.phrases for t in pair_tokens(phrase)})
        if pairs:
            sql += " AND e.pairs_tsv @@ to_tsquery('simple', %s)"
            params.append(" & ".join(pairs))
        return sql, params

    def _ranked(self, parsed, window, params):
        if parsed.empty:
            return f"SELECT w.document_id, 0.0 AS score, w.sort_date FROM ({window}) w", params
        bonus, extra = "0.0", []
        if parsed.accents:
            bonus = f"CASE WHEN w.tsv @@ to_tsquery('simple', %s) THEN {ACCENT_BONUS} ELSE 0.0 END"
            extra = [" & ".join(parsed.accents)]
        words_only = self.tsquery(type(parsed)(terms=parsed.terms, phrases=parsed.phrases))
        return (f"SELECT w.document_id, ({bonus} + ts_rank_cd(w.tsv, to_tsquery('simple', %s))) AS score, "
                f"w.sort_date FROM ({window}) w", extra + [words_only] + params)

    def similar_words(self, word, *, limit=3):
        if len(word) < 3:
            return []
        with connection.cursor() as cur:
            cur.execute("SELECT word FROM search_searchword WHERE word %% %s AND word <> %s "
                        "ORDER BY similarity(word, %s) DESC, word LIMIT %s", [word, word, word, limit])
            return [row[0] for row in cur.fetchall()]

    def known_words(self, words):
        with connection.cursor() as cur:
            cur.execute("SELECT word FROM search_searchword WHERE word = ANY(%s)", [list(words)])
            return {row[0] for row in cur.fetchall()}


def _as_date(value):
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def get_backend():
    return PostgresBackend() if connection.vendor == "postgresql" else SqliteBackend()
