from django.core.management.base import BaseCommand, CommandError

from dieuhanh.operations.backup import BackupError, backup


class Command(BaseCommand):
    help = ("dieuhanh backup DEST: dump the database and copy the file store into the new folder DEST (or DEST.tar), "
            "with a manifest.json holding the SHA-256 of every part.")

    def add_arguments(self, parser):
        parser.add_argument("dest", help="a new folder, or a file name ending in .tar")

    def handle(self, *args, dest, **options):
        try:
            path, manifest = backup(dest, progress=lambda n: self.stdout.write(f"  {n:,} files copied…"))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        counts = manifest["counts"]
        blobs = sum(1 for rel in manifest["files"] if rel.startswith("blobs/"))
        size = sum(meta["size"] for meta in manifest["files"].values())
        self.stdout.write(self.style.SUCCESS(
            f"Backup written to {path}: {manifest['engine']} database ({counts['documents']:,} documents, "
            f"{counts['audit_events']:,} audit events), {blobs:,} stored files, {size / 1e6:,.1f} MB."))
