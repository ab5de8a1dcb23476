from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from dieuhanh.documents.fixity import check


class Command(BaseCommand):
    help = "dieuhanh fixity check: re-hash every stored file and report the ones missing or changed."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["check"])

    def handle(self, *args, **options):
        try:
            checked, problems = check(progress=lambda n: self.stdout.write(f"  {n:,} files checked…"))
        except ImproperlyConfigured as exc:  # e.g. encrypted files and no DIEUHANH_FILE_KEY
            raise CommandError(f"Fixity check stopped: {exc}") from exc
        for p in problems:
            self.stdout.write(self.style.ERROR(f"{p['sha256']}: {p['problem']}"))
        if problems:
            raise CommandError(f"{len(problems)} of {checked:,} files failed the fixity check")
        self.stdout.write(self.style.SUCCESS(f"All {checked:,} stored files match their SHA-256."))
