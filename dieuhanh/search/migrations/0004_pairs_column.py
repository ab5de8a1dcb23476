"""Pair tokens move out of ``folded`` into their own column (docs/decisions/0019-search.md, "Phrases").

In one column they doubled the vector that relevance ranking reads for every candidate; apart, PostgreSQL matches
phrases on their own GIN index and ranks on the words alone. Rows are moved from their own tokens: no document is
read again. The hash needs no repeating here: the tokens already written are moved as they are."""

import importlib

from django.db import migrations, models

PAIR = "zqb"

POSTGRES = [
    "ALTER TABLE search_searchentry ADD COLUMN pairs_tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, pairs)) STORED",
    "CREATE INDEX search_entry_pairs ON search_searchentry USING gin (pairs_tsv)",
    # The ranked vector stays in the row (compressed if need be) rather than in the TOAST table: ranking reads it
    # for every candidate, and an out-of-line value costs a TOAST index lookup and a chunk read each time. The
    # snippet text and the other token columns, read for one page of rows or never, go out of line first.
    "ALTER TABLE search_searchentry ALTER COLUMN search_tsv SET STORAGE MAIN",
]
POSTGRES_REVERSE = [
    "ALTER TABLE search_searchentry ALTER COLUMN search_tsv SET STORAGE EXTENDED",
    "DROP INDEX IF EXISTS search_entry_pairs",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS pairs_tsv",
]


def move_pairs(apps, schema_editor):
    SearchEntry = apps.get_model("search", "SearchEntry")
    last = 0
    while True:
        batch = list(SearchEntry.objects.filter(pk__gt=last).order_by("pk").only("pk", "folded", "pairs")[:1000])
        if not batch:
            return
        changed = []
        for entry in batch:
            tokens = entry.folded.split()
            pairs = [t for t in tokens if t.startswith(PAIR)]
            if pairs:
                entry.folded = " ".join(t for t in tokens if not t.startswith(PAIR))
                entry.pairs = " ".join(pairs)
                changed.append(entry)
        SearchEntry.objects.bulk_update(changed, ["folded", "pairs"])
        last = batch[-1].pk


# SQLite adds the column by rebuilding the table, which drops the triggers that keep FTS5 in step: made again.
SQLITE = [f"DROP TRIGGER IF EXISTS search_entry_{name}" for name in ("ai", "ad", "au")] + [
    sql for sql in importlib.import_module("dieuhanh.search.migrations.0002_fulltext").SQLITE
    if sql.startswith("CREATE TRIGGER")]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)
    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0003_pair_tokens")]

    operations = [
        # run last when going back: removing the column rebuilds the SQLite table again
        migrations.RunPython(migrations.RunPython.noop, _run({"sqlite": SQLITE})),
        migrations.AddField("searchentry", "pairs", models.TextField(blank=True, default="")),
        migrations.RunPython(move_pairs, migrations.RunPython.noop),
        migrations.RunPython(_run({"sqlite": SQLITE, "postgresql": POSTGRES}),
                             _run({"postgresql": POSTGRES_REVERSE})),
    ]
