"""Background work for digitization: OCR of each scanned file, one task per file so workers share a batch."""

import logging

from django.utils import timezone
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from dieuhanh.documents import storage

from . import ocr, services
from .models import ItemStatus, ScanItem

logger = logging.getLogger(__name__)


def process(item_id):
    """OCR one queued item and record the result (or the reason it failed). Returns the item's new status."""
    if not ScanItem.objects.filter(pk=item_id, status=ItemStatus.QUEUED).update(status=ItemStatus.PROCESSING,
                                                                             started_at=timezone.now()):
        return None  # already taken by another worker, or discarded meanwhile
    item = ScanItem.objects.select_related("original").get(pk=item_id)
    try:
        with storage.open_blob(item.original) as fh:
            data = fh.read()
        result = ocr.run(data, item.original.content_type)
    except ocr.ScanError as exc:
        return services.record_failure(item_id=item_id, message=str(exc)).status
    except Exception:
        logger.exception("digitizing scan item %s failed", item_id)
        return services.record_failure(item_id=item_id, message=_("Digitizing failed unexpectedly; try again.")).status
    return services.record_ocr(item_id=item_id, result=result).status


@db_task(retries=0)
def process_item(item_id):
    return process(item_id)
