"""``dieuhanh reindex``: index every document again, batch by batch, printing progress.

Normal operation never needs it (documents are indexed in the transaction that writes them); it is for an
upgrade that changes what is indexed, or after restoring a database without its index. Interrupted, it resumes
with ``--after`` the last id it printed."""

import time

from django.core.management.base import BaseCommand

from dieuhanh.documents.models import Document
from dieuhanh.search import services


class Command(BaseCommand):
    help = "Rebuild the search index row of every document, in committed batches, with progress."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500)
        parser.add_argument("--after", type=int, default=0, help="resume after this document id")

    def handle(self, *args, batch, after, **options):
        total = Document.objects.filter(pk__gt=after).count()
        started = time.monotonic()

        def progress(done, last_id):
            pct = 100 * done / total if total else 100
            rate = done / max(time.monotonic() - started, 1e-6)
            self.stdout.write(f"{done:,}/{total:,} documents ({pct:.1f}%), {rate:,.0f}/s, last id {last_id}")

        done = services.reindex(batch=max(1, batch), progress=progress, start_after=after)
        self.stdout.write(self.style.SUCCESS(f"Indexed {done:,} documents."))
