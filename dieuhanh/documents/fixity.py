"""Fixity: re-hash every stored file and report the ones missing or changed."""

from django.core.exceptions import ValidationError
from django.db import transaction

from dieuhanh.audit.services import record

from . import storage
from .models import Blob


def check(progress=None):
    """Return (files checked, [{"sha256", "problem"}]) and record the run in the audit log."""
    problems, checked = [], 0
    for blob in Blob.objects.order_by("id").iterator(chunk_size=500):
        try:
            storage.verify(blob)
        except ValidationError as exc:
            problems.append({"sha256": blob.sha256, "problem": " ".join(exc.messages)})
        checked += 1
        if progress and checked % 1000 == 0:
            progress(checked)
    with transaction.atomic():
        record(actor=None, action="fixity.check", data={"checked": checked, "problems": problems[:100]})
    return checked, problems
