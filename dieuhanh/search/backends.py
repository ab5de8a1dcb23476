"""Two full-text back-ends behind one interface: SQLite FTS5 for the embedded default, PostgreSQL tsvector + GIN
(with pg_trgm for typos) in production. Both take the same parsed query and the same permission subquery, and
return ``(document_id, score, sort_date)`` rows in the same order, keyset-paginated.

Scores: a document containing every accented word of the query exactly as typed gets ``ACCENT_BONUS`` on top of
its relevance, so "điều động" lists documents with "điều động" before those with "điều đồng".
"""

import datetime

from django.db import connection

ACCENT_BONUS = 1000.0
ENTRY = "search_searchentry"


def _keyset(sort, cursor):
    """The WHERE clause that continues after ``cursor`` for the outer query (columns id, score, sort_date)."""
    if not cursor:
        return "", []
    if sort == "date":
        day, doc_id = cursor
        return "WHERE (r.sort_date < %s OR (r.sort_date = %s AND r.id < %s))", [day, day, doc_id]
    score, doc_id = cursor
    return "WHERE (r.score < %s OR (r.score = %s AND r.id < %s))", [score, score, doc_id]


def _order(sort):
    return "r.sort_date DESC, r.id DESC" if sort == "date" else "r.score DESC, r.id DESC"


class Backend:
    vendor = ""

    def _matched(self, parsed, visible_sql, visible_params):
        """SQL selecting ``id, score, sort_date`` of the visible documents matching ``parsed``."""
        raise NotImplementedError

    def _all(self, visible_sql, visible_params):
        sql = (f"SELECT e.document_id AS id, 0.0 AS score, e.sort_date AS sort_date FROM {ENTRY} e "
               f"WHERE e.document_id IN ({visible_sql})")
        return sql, list(visible_params)

    def _inner(self, parsed, visible_sql, visible_params):
        if parsed.empty:
            return self._all(visible_sql, visible_params)
        return self._matched(parsed, visible_sql, visible_params)

    def page(self, parsed, visible_sql, visible_params, *, sort, cursor, limit):
        inner, params = self._inner(parsed, visible_sql, visible_params)
        where, extra = _keyset(sort, cursor)
        sql = f"SELECT r.id, r.score, r.sort_date FROM ({inner}) r {where} ORDER BY {_order(sort)} LIMIT %s"
        with connection.cursor() as cur:
            cur.execute(sql, params + extra + [limit])
            rows = cur.fetchall()
        return [(doc_id, float(score), _as_date(day)) for doc_id, score, day in rows]

    def count(self, parsed, visible_sql, visible_params, *, cap):
        """How many documents match, counted up to ``cap + 1`` only: large result sets say "more than cap"."""
        inner, params = self._inner(parsed, visible_sql, visible_params)
        with connection.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM (SELECT 1 FROM ({inner}) r LIMIT %s) c", params + [cap + 1])
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
        # Every token is [a-z0-9]+, so quoting cannot be broken out of; adjacent strings mean AND in FTS5.
        parts = [f'"{t}"' for t in parsed.terms] + ['"' + " ".join(p) + '"' for p in parsed.phrases]
        return " ".join(parts)

    def _matched(self, parsed, visible_sql, visible_params):
        params = []
        bonus = "0.0"
        if parsed.accents:
            bonus = (f"CASE WHEN f.rowid IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s) "
                     f"THEN {ACCENT_BONUS} ELSE 0.0 END")
            params.append(" ".join(f'"{t}"' for t in parsed.accents))
        # bm25() is negative, lower is better: negate it so that higher is better on both back-ends.
        sql = (f"SELECT f.rowid AS id, ({bonus} - bm25(search_fts)) AS score, e.sort_date AS sort_date "
               f"FROM search_fts f JOIN {ENTRY} e ON e.document_id = f.rowid "
               f"WHERE search_fts MATCH %s AND f.rowid IN ({visible_sql})")
        return sql, params + [self.match(parsed)] + list(visible_params)


class PostgresBackend(Backend):
    vendor = "postgresql"

    @staticmethod
    def tsquery(parsed):
        parts = list(parsed.terms) + ["(" + " <-> ".join(p) + ")" for p in parsed.phrases]
        return " & ".join(parts)

    def _matched(self, parsed, visible_sql, visible_params):
        params = [self.tsquery(parsed)]
        bonus = "0.0"
        if parsed.accents:
            bonus = f"CASE WHEN e.search_tsv @@ to_tsquery('simple', %s) THEN {ACCENT_BONUS} ELSE 0.0 END"
            params.insert(0, " & ".join(parsed.accents))
        sql = (f"SELECT e.document_id AS id, ({bonus} + ts_rank_cd(e.search_tsv, q.fq)) AS score, "
               f"e.sort_date AS sort_date FROM {ENTRY} e, (SELECT to_tsquery('simple', %s) AS fq) q "
               f"WHERE e.search_tsv @@ q.fq AND e.document_id IN ({visible_sql})")
        return sql, params + list(visible_params)

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
