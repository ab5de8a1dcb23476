import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from dieuhanh.accounts.models import User
from dieuhanh.kernel.ids import parse_id
from dieuhanh.reorg import handover
from dieuhanh.units.models import Unit


def error_text(exc: ValidationError) -> str:
    """A ValidationError as one console line (``field: message; …``); the reorg command shares it."""
    return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()) if hasattr(exc, "error_dict") \
        else " ".join(exc.messages)


class Command(BaseCommand):
    help = ("dieuhanh handover export UNIT_ID DEST: write the unit's collection as a BagIt bag (files by SHA-256, "
            "metadata as JSON and CSV, file list and indexes, audit events, handover minutes PDF). "
            "dieuhanh handover verify BAG: re-hash it (non-zero exit on a changed, missing or extra file). "
            "dieuhanh handover import BAG UNIT_ID: load a verified bag into a receiving unit.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "verify", "import"])
        parser.add_argument("paths", nargs="+", metavar="ARG")
        parser.add_argument("--user", help="username recorded as the actor (default: the console)")

    def _unit(self, value):
        unit = Unit.objects.filter(pk=parse_id(value)).first() if parse_id(value) is not None else None
        if unit is None:
            raise CommandError(f"Unknown unit {value!r}.")
        return unit

    def _actor(self, username):
        if not username:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Unknown user {username!r}.")
        return user

    def handle(self, *_, action, paths, user=None, **options):
        args = paths
        actor = self._actor(user)
        try:
            if action == "export":
                if len(args) != 2:
                    raise CommandError("usage: dieuhanh handover export UNIT_ID DEST")
                counts = handover.export_bag(actor=actor, unit=self._unit(args[0]), dest=args[1], console=True)
                self.stdout.write(self.style.SUCCESS(
                    f"{args[1]}: {counts['documents']:,} documents, {counts['files']:,} files "
                    f"({counts['bytes']:,} bytes), {counts['record_files']:,} record files, "
                    f"{counts['events']:,} audit events; Payload-Oxum {counts['payload_oxum']}"))
            elif action == "verify":
                if len(args) != 1:
                    raise CommandError("usage: dieuhanh handover verify BAG")
                bag = handover.verify_bag(args[0])
                self.stdout.write(self.style.SUCCESS(
                    f"{args[0]}: valid; {len(bag.entries):,} files checked (SHA-256), "
                    f"Payload-Oxum {bag.info.get('Payload-Oxum', '')}"))
            else:
                if len(args) != 2:
                    raise CommandError("usage: dieuhanh handover import BAG UNIT_ID")
                done = handover.import_bag(actor=actor, path=args[0], unit=self._unit(args[1]), console=True)
                self.stdout.write(self.style.SUCCESS(f"Imported into {done.unit.name}: {done.counts}"))
        except ValidationError as exc:
            raise CommandError(error_text(exc)) from exc
        sys.stdout.flush()
