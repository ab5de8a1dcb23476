"""Import batches of scans and their items: each scanned file becomes a draft incoming record that a clerk
confirms into the incoming register."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BatchSource(models.TextChoices):
    UPLOAD = "upload", _("Upload")
    FOLDER = "folder", _("Folder import")
    API = "api", _("API")


class ImportBatch(models.Model):
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=8, choices=BatchSource.choices, default=BatchSource.UPLOAD)
    label = models.CharField(_("label"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["unit", "-id"])]

    def __str__(self):
        return f"#{self.pk} {self.label}"


class ItemStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    PROCESSING = "processing", _("Processing")
    READY = "ready", _("Awaiting confirmation")
    FAILED = "failed", _("Could not be digitized")
    REJECTED = "rejected", _("Rejected")
    REGISTERED = "registered", _("Registered")
    DISCARDED = "discarded", _("Discarded")


STUCK_AFTER = datetime.timedelta(hours=1)
PENDING = {ItemStatus.QUEUED, ItemStatus.PROCESSING}
DONE = {ItemStatus.READY, ItemStatus.FAILED, ItemStatus.REJECTED, ItemStatus.REGISTERED, ItemStatus.DISCARDED}


class ScanItem(models.Model):
    """One scanned file of a batch: the original (kept unchanged), its OCR'd PDF/A, quality flags per page, the
    metadata read from the first page, and, once a clerk confirms it, the incoming register entry."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="items")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=12, choices=ItemStatus.choices, default=ItemStatus.QUEUED)
    message = models.TextField(_("message"), blank=True)  # why it was rejected or failed
    original = models.ForeignKey("documents.Blob", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ocr_pdf = models.ForeignKey("documents.Blob", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    page_count = models.PositiveIntegerField(default=0)
    pages = models.JSONField(default=list, blank=True)  # [{"page", "ppi", "blank", "words", "confidence", "flags"}]
    flags = models.JSONField(default=list, blank=True)  # low-resolution, blank, unreadable, duplicate, pdf risks
    text = models.TextField(blank=True)  # recognized text of the first page
    extracted = models.JSONField(default=dict, blank=True)
    duplicate_of = models.ForeignKey("documents.IncomingEntry", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    duplicate_item = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    duplicate_reason = models.CharField(max_length=20, blank=True)  # "file" or "metadata"
    entry = models.OneToOneField("documents.IncomingEntry", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="scan_item")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)  # when a worker took it for OCR
    processed_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["unit", "status", "id"]), models.Index(fields=["batch", "status"])]

    def __str__(self):
        return self.name

    @property
    def is_pending(self):
        return self.status in PENDING

    @property
    def is_stuck(self):
        """Taken by a worker that stopped before finishing (OCR of one file takes minutes, not an hour)."""
        return (self.status == ItemStatus.PROCESSING and self.started_at is not None
                and timezone.now() - self.started_at > STUCK_AFTER)
