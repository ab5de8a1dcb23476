"""Words of a document that begin with "zq" (a code, a foreign name) are escaped in the index as "zqz" + word, so
that they no longer look like index-only tokens (issue 14, item 16; decision 0034). Only rows whose text holds
"zq" are read; their word tokens come first in ``folded`` (one per folded word of ``text``), so the words are
told from the reader, month and accent tokens behind them by position, not by their shape. The token shape is
repeated here: a migration must give the same result whatever the app code becomes."""

import re

from django.db import migrations

from dieuhanh.kernel.text import fold

WORD = re.compile(r"[a-z0-9]+")
MAX_INDEXED_CHARS = 400_000


def escape_words(apps, schema_editor):
    SearchEntry = apps.get_model("search", "SearchEntry")
    rows = SearchEntry.objects.filter(text__icontains="zq").order_by("pk")
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last).only("pk", "text", "folded")[:500])
        if not batch:
            return
        changed = []
        for entry in batch:
            tokens = entry.folded.split()
            words = WORD.findall(fold(entry.text[:MAX_INDEXED_CHARS]))
            if tokens[:len(words)] != words:
                continue  # not the layout this migration knows (already escaped): left as it is
            escaped = ["zqz" + w if w.startswith("zq") else w for w in words]
            if escaped != words:
                entry.folded = " ".join(escaped + tokens[len(words):])
                changed.append(entry)
        SearchEntry.objects.bulk_update(changed, ["folded"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("search", "0005_reader_months")]

    operations = [migrations.RunPython(escape_words, migrations.RunPython.noop)]
