"""The full-text structures of each back-end, beside the Django tables (see dieuhanh/search/backends.py)."""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(folded, content='search_searchentry', content_rowid='document_id', "
    "tokenize='unicode61')",
    # External-content FTS5 stays in step through triggers, inside the writing transaction.
    "CREATE TRIGGER search_entry_ai AFTER INSERT ON search_searchentry BEGIN "
    "INSERT INTO search_fts(rowid, folded) VALUES (new.document_id, new.folded); END",
    "CREATE TRIGGER search_entry_ad AFTER DELETE ON search_searchentry BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, folded) VALUES ('delete', old.document_id, old.folded); END",
    "CREATE TRIGGER search_entry_au AFTER UPDATE OF folded ON search_searchentry BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, folded) VALUES ('delete', old.document_id, old.folded); "
    "INSERT INTO search_fts(rowid, folded) VALUES (new.document_id, new.folded); END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS search_entry_au", "DROP TRIGGER IF EXISTS search_entry_ad",
    "DROP TRIGGER IF EXISTS search_entry_ai", "DROP TABLE IF EXISTS search_fts",
]

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "ALTER TABLE search_searchentry ADD COLUMN search_tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, folded)) STORED",
    "CREATE INDEX search_entry_tsv ON search_searchentry USING gin (search_tsv)",
    "CREATE INDEX search_word_trgm ON search_searchword USING gin (word gin_trgm_ops)",
    # The vocabulary for typo correction, filled in the writing transaction; index-only tokens (zq...) are not words.
    """CREATE FUNCTION search_words_upsert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO search_searchword(word)
        SELECT w FROM unnest(tsvector_to_array(NEW.search_tsv)) AS w
        WHERE w NOT LIKE 'zq%' AND length(w) BETWEEN 3 AND 40 AND w !~ '^[0-9]+$'
      ON CONFLICT DO NOTHING;
      RETURN NULL;
    END $$""",
    "CREATE TRIGGER search_entry_words AFTER INSERT OR UPDATE OF folded ON search_searchentry "
    "FOR EACH ROW EXECUTE FUNCTION search_words_upsert()",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS search_entry_words ON search_searchentry",
    "DROP FUNCTION IF EXISTS search_words_upsert()",
    "DROP INDEX IF EXISTS search_word_trgm", "DROP INDEX IF EXISTS search_entry_tsv",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS search_tsv",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)  # no placeholders: "%" is literal
    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(_run({"sqlite": SQLITE, "postgresql": POSTGRES}),
                             _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE})),
    ]
