"""dieuhanh import-scans DIR --unit CODE --user USERNAME: import a folder tree of scans as one batch.

Every PDF, TIFF, JPEG and PNG file under DIR becomes an item of the batch. By default the command digitizes
them itself, printing its progress; with --background it only queues them for the worker (dieuhanh run_huey).
"""

import time

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from dieuhanh.digitization import jobs, selectors, services
from dieuhanh.digitization.models import BatchSource, ItemStatus
from dieuhanh.kernel.ids import parse_id
from dieuhanh.units.models import Unit


class Command(BaseCommand):
    help = "Import a folder tree of scans (PDF, TIFF, JPEG, PNG) into a unit as draft incoming documents."

    def add_arguments(self, parser):
        parser.add_argument("dir", help="folder to import (searched recursively; hidden files are skipped)")
        parser.add_argument("--unit", required=True, help="the unit's code or id")
        parser.add_argument("--user", required=True, help="username of a clerk of the unit (acts as importer)")
        parser.add_argument("--label", default="", help="a label for the batch (default: the folder's name)")
        parser.add_argument("--background", action="store_true", help="queue OCR for the worker instead")

    def handle(self, *args, dir, unit, user, label, background, **options):
        unit_obj = Unit.objects.filter(Q(code=unit) | Q(pk=parse_id(unit))).first()
        if unit_obj is None:
            raise CommandError(f"No unit with code or id {unit!r}.")
        actor = get_user_model().objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user {user!r}.")
        try:
            found = services.folder_files(dir)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if not found:
            raise CommandError(f"No PDF, TIFF, JPEG or PNG files under {dir}.")
        handles = []

        def files():
            for rel, path in found:
                fh = open(path, "rb")  # noqa: SIM115  (closed below, after the batch is written)
                handles.append(fh)
                yield services.display_name(rel), fh

        try:
            batch = services.import_files(actor=actor, unit=unit_obj, files=files(), source=BatchSource.FOLDER,
                                          label=label or str(dir).rstrip("/").split("/")[-1],
                                          enqueue=background)
        except PermissionDenied as exc:
            raise CommandError(str(exc) or "Permission denied.") from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        finally:
            for fh in handles:
                fh.close()
        items = list(batch.items.order_by("id"))
        total = len(items)
        self.stdout.write(f"Batch #{batch.pk}: {total} files into {unit_obj.name}.")
        for item in items:
            if item.status == ItemStatus.REJECTED:
                self.stdout.write(f"  rejected {item.name}: {item.message}")
        if background:
            self.stdout.write(f"Queued {sum(i.status == ItemStatus.QUEUED for i in items)} files for the worker.")
            return
        started = time.monotonic()
        for index, item in enumerate(items, start=1):
            if item.status != ItemStatus.QUEUED:
                continue
            jobs.process(item.pk)
            item.refresh_from_db()
            detail = item.message if item.status == ItemStatus.FAILED else (
                f"{item.extracted.get('symbol') or '?'} {item.extracted.get('issued_on') or ''}"
                + (f" [{', '.join(item.flags)}]" if item.flags else ""))
            self.stdout.write(f"[{index}/{total}] {item.name}: {item.get_status_display()} {detail}".rstrip())
        progress = selectors.progress(batch)
        self.stdout.write(self.style.SUCCESS(
            f"Done in {time.monotonic() - started:.1f} s: {progress['ready']} awaiting confirmation, "
            f"{progress['failed']} failed, {progress['rejected']} rejected."))
