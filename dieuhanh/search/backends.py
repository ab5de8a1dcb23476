"""Two full-text back-ends behind one interface: SQLite FTS5 for the embedded default, PostgreSQL tsvector + GIN
(with pg_trgm for typos) in production. Both take the same parsed query and the same permission check, and
return ``(document_id, score, sort_date)`` rows in the same order, keyset-paginated.

How a search runs (see docs/decisions/0019-search.md):
1. The full-text index matches the words AND the reader's tokens (their units, themselves, the confidentiality
   levels they are cleared for), so it only hands back documents the reader may plausibly open.
2. Each candidate passes the exact permission check (the rule of the document page) as a correlated EXISTS.
3. "By date" walks matches newest first. "By relevance" ranks the newest ``RANK_WINDOW`` matches: ranking every
   match of a word found in half a million documents would read half a million rows for one page. A document
   containing every accented word exactly as typed gets ``ACCENT_BONUS`` on top of its rank, so "điều động" lists
   documents with "điều động" before those with "điều đồng".
"""

import datetime

from django.db import connection

ACCENT_BONUS = 1000.0
RANK_WINDOW = 1000
ENTRY = "search_searchentry"


def _keyset(sort, cursor):
    """Condition continuing after ``cursor`` on the outer columns (id, score, sort_date)."""
    if not cursor:
        return "", []
    if sort == "date":
        day, doc_id = cursor
        return "AND (r.sort_date < %s OR (r.sort_date = %s AND r.id < %s))", [day, day, doc_id]
    score, doc_id = cursor
    return "AND (r.score < %s OR (r.score = %s AND r.id < %s))", [score, score, doc_id]


class Backend:
    vendor = ""

    def _candidates(self, parsed, visible_sql, visible_params, *, ranking):
        """SQL of ``id, sort_date`` (and what ranking needs) of the visible documents matching ``parsed``."""
        raise NotImplementedError

    def _ranked(self, parsed, candidates, params):
        raise NotImplementedError

    def page(self, parsed, visible_sql, visible_params, *, sort, cursor, limit):
        where, extra = _keyset(sort, cursor)
        cands, params = self._candidates(parsed, visible_sql, visible_params, ranking=sort == "relevance")
        if sort == "date":
            sql = (f"SELECT r.id, 0.0 AS score, r.sort_date FROM ({cands}) r WHERE 1=1 {where} "
                   f"ORDER BY r.sort_date DESC, r.id DESC LIMIT %s")
        else:
            window = f"SELECT * FROM ({cands}) c ORDER BY c.sort_date DESC, c.id DESC LIMIT {RANK_WINDOW}"
            ranked, params = self._ranked(parsed, window, params)
            sql = (f"SELECT r.id, r.score, r.sort_date FROM ({ranked}) r WHERE 1=1 {where} "
                   f"ORDER BY r.score DESC, r.id DESC LIMIT %s")
        with connection.cursor() as cur:
            cur.execute(sql, params + extra + [limit])
            rows = cur.fetchall()
        return [(doc_id, float(score), _as_date(day)) for doc_id, score, day in rows]

    def count(self, parsed, visible_sql, visible_params, *, cap):
        """How many documents match, counted up to ``cap + 1`` only: large result sets say "more than cap"."""
        cands, params = self._candidates(parsed, visible_sql, visible_params, ranking=False)
        with connection.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM (SELECT 1 FROM ({cands}) r LIMIT %s) c", params + [cap + 1])
            return cur.fetchone()[0]

    def similar_words(self, word, *, limit=3):
        """Index words close to ``word`` (typos). Only PostgreSQL has this."""
        return []

    def known_words(self, words):
        return set(words)


class SqliteBackend(Backend):
    vendor = "sqlite"

    @staticmethod
    def match(parsed):
        # Every token is [a-z0-9]+, so quoting cannot be broken out of.
        parts = [f'"{t}"' for t in parsed.terms] + ['"' + " ".join(p) + '"' for p in parsed.phrases]
        for group in (parsed.readers, parsed.levels):
            if group is not None:
                parts.append("(" + " OR ".join(f'"{t}"' for t in group) + ")")
        return " AND ".join(parts)

    def _candidates(self, parsed, visible_sql, visible_params, *, ranking):
        match = self.match(parsed)
        if not match:  # an administrator's empty search: every document
            return (f"SELECT e.document_id AS id, e.sort_date AS sort_date, 0.0 AS base FROM {ENTRY} e "
                    f"WHERE EXISTS ({visible_sql})", list(visible_params))
        # bm25() is negative, lower is better: negated so that higher is better on both back-ends.
        rank = ", -bm25(search_fts) AS base" if ranking and not parsed.empty else ", 0.0 AS base"
        sql = (f"SELECT e.document_id AS id, e.sort_date AS sort_date{rank} FROM search_fts f "
               f"JOIN {ENTRY} e ON e.document_id = f.rowid "
               f"WHERE search_fts MATCH %s AND EXISTS ({visible_sql})")
        return sql, [match] + list(visible_params)

    def _ranked(self, parsed, window, params):
        bonus, extra = "0.0", []
        if parsed.accents:
            bonus = (f"CASE WHEN w.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s) "
                     f"THEN {ACCENT_BONUS} ELSE 0.0 END")
            extra = [" ".join(f'"{t}"' for t in parsed.accents)]
        return (f"SELECT w.id, ({bonus} + w.base) AS score, w.sort_date FROM ({window}) w",
                extra + params)


class PostgresBackend(Backend):
    vendor = "postgresql"

    @staticmethod
    def tsquery(parsed):
        parts = list(parsed.terms) + ["(" + " <-> ".join(p) + ")" for p in parsed.phrases]
        for group in (parsed.readers, parsed.levels):
            if group is not None:
                parts.append("(" + " | ".join(group) + ")")
        return " & ".join(parts)

    def _candidates(self, parsed, visible_sql, visible_params, *, ranking):
        # OFFSET 0 keeps the permission check a per-candidate subplan (a primary-key lookup each): pulled up
        # into a join, the planner would scan every document to build the reader's visible set first.
        visible_sql = f"{visible_sql} OFFSET 0"
        tsv = ", e.search_tsv AS tsv" if ranking else ""
        query = self.tsquery(parsed)
        if not query:  # an administrator's empty search: every document, newest first
            return (f"SELECT e.document_id AS id, e.sort_date AS sort_date{tsv} FROM {ENTRY} e "
                    f"WHERE EXISTS ({visible_sql})", list(visible_params))
        return (f"SELECT e.document_id AS id, e.sort_date AS sort_date{tsv} FROM {ENTRY} e "
                f"WHERE e.search_tsv @@ to_tsquery('simple', %s) AND EXISTS ({visible_sql})",
                [query] + list(visible_params))

    def _ranked(self, parsed, window, params):
        if parsed.empty:
            return f"SELECT w.id, 0.0 AS score, w.sort_date FROM ({window}) w", params
        bonus, extra = "0.0", []
        if parsed.accents:
            bonus = f"CASE WHEN w.tsv @@ to_tsquery('simple', %s) THEN {ACCENT_BONUS} ELSE 0.0 END"
            extra = [" & ".join(parsed.accents)]
        words_only = self.tsquery(type(parsed)(terms=parsed.terms, phrases=parsed.phrases))
        return (f"SELECT w.id, ({bonus} + ts_rank_cd(w.tsv, to_tsquery('simple', %s))) AS score, w.sort_date "
                f"FROM ({window}) w", extra + [words_only] + params)

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
