from django.core.management.base import BaseCommand, CommandError

from dieuhanh.audit.chain import verify


class Command(BaseCommand):
    help = "dieuhanh audit verify: check every audit hash chain and report the first broken link of each."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        problems, checked = verify(progress=lambda n: self.stdout.write(f"  {n:,} events checked…"))
        if problems:
            for p in problems:
                self.stdout.write(self.style.ERROR(
                    f"chain {p['chain']}: broken at seq {p['seq']} (event {p['event']}): {p['problem']}"))
            raise CommandError(f"{len(problems)} chain(s) broken; {checked:,} events checked")
        self.stdout.write(self.style.SUCCESS(f"All chains intact: {checked:,} events checked."))
