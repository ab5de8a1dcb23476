"""Index rows get their reader tokens joined to their month ("zqu12m202611"; see ``search.text.dated_tokens``),
derived from the row's own reader and month tokens: no document is read again. Without them a broad search by a
reader would skip the row. The token shape is repeated here: a migration must give the same result whatever the
app code becomes."""

import re

from django.db import migrations

READER = re.compile(r"^zq[up]\d+$")


def add_reader_months(apps, schema_editor):
    SearchEntry = apps.get_model("search", "SearchEntry")
    last = 0
    while True:
        batch = list(SearchEntry.objects.filter(pk__gt=last).order_by("pk").only("pk", "folded")[:1000])
        if not batch:
            return
        changed = []
        for entry in batch:
            tokens = entry.folded.split()
            months = [t for t in tokens if t.startswith("zqm")]
            readers = [t for t in tokens if READER.match(t)]
            joined = [f"{r}m{m[3:]}" for m in months for r in readers]
            missing = [t for t in joined if t not in set(tokens)]
            if missing:
                entry.folded = " ".join(tokens + missing)
                changed.append(entry)
        SearchEntry.objects.bulk_update(changed, ["folded"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("search", "0004_pairs_column")]

    operations = [migrations.RunPython(add_reader_months, migrations.RunPython.noop)]
