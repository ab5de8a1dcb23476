import time

from django.core.management.base import BaseCommand, CommandError

from dieuhanh.operations.demo import bootstrap_admin
from dieuhanh.units.services import seed_synthetic_tree


class Command(BaseCommand):
    help = "Create a large synthetic tree of units for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, required=True, help="How many units to create.")
        parser.add_argument("--branching", type=int, default=12)

    def handle(self, *args, units, branching, **options):
        if units < 1 or branching < 1:
            raise CommandError("--units and --branching must be positive.")
        start = time.perf_counter()
        root, created = seed_synthetic_tree(actor=bootstrap_admin(), count=units, branching=branching)
        elapsed = time.perf_counter() - start
        self.stdout.write(f"Created {created} units under {root.code} in {elapsed:.1f}s ({created / elapsed:.0f}/s)")
