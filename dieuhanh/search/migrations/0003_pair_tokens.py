"""Index rows written before pair tokens existed get them (docs/decisions/0019-search.md, "Phrases"): without
them PostgreSQL's phrase match, which now requires the pair tokens, would skip those documents.

The tokens are derived from the row's own folded words, so no document is read again. The hash is repeated here
rather than imported: a migration must keep giving the same result whatever the app code becomes."""

import hashlib

from django.db import migrations


def _pairs(words):
    return sorted({"zqb" + hashlib.blake2b(f"{a} {b}".encode(), digest_size=5).hexdigest()
                   for a, b in zip(words, words[1:], strict=False)})


def add_pair_tokens(apps, schema_editor):
    SearchEntry = apps.get_model("search", "SearchEntry")
    last = 0
    while True:
        batch = list(SearchEntry.objects.filter(pk__gt=last).order_by("pk").only("pk", "folded")[:500])
        if not batch:
            return
        for entry in batch:
            tokens = entry.folded.split()
            if any(t.startswith("zqb") for t in tokens):
                continue  # already has them (written by the new code)
            words = [t for t in tokens if not t.startswith("zq")]
            rest = [t for t in tokens if t.startswith("zq")]
            accents = [t for t in rest if t.startswith("zqx")]
            others = [t for t in rest if not t.startswith("zqx")]
            entry.folded = " ".join(words + accents + _pairs(words) + others)
            entry.save(update_fields=["folded"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fulltext")]

    operations = [migrations.RunPython(add_pair_tokens, migrations.RunPython.noop)]
