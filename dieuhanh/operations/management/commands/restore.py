from django.core.management.base import BaseCommand, CommandError

from dieuhanh.operations import backup


class Command(BaseCommand):
    help = ("dieuhanh restore SRC: verify the backup SRC (folder or .tar) against its manifest, then restore it into "
            "an empty database and file store. --check only verifies.")

    def add_arguments(self, parser):
        parser.add_argument("src", help="a backup folder or .tar written by dieuhanh backup")
        parser.add_argument("--check", action="store_true", help="only verify the backup; change nothing")

    def handle(self, *args, src, check=False, **options):
        try:
            if check:
                manifest = backup.check(src)
                self.stdout.write(self.style.SUCCESS(
                    f"Backup {src} is intact: {len(manifest['files']):,} parts match manifest.json."))
                return
            manifest = backup.restore(src)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        counts = manifest["counts"]
        self.stdout.write(self.style.SUCCESS(
            f"Restored {src} (made {manifest['created_at']}): {counts['documents']:,} documents, "
            f"{counts['files']:,} files, {counts['audit_events']:,} audit events. "
            "Run `dieuhanh migrate` if this version of dieuhanh is newer than the backup, then "
            "`dieuhanh audit verify` and `dieuhanh fixity check`."))
