"""Intake channels (issue 17, decision 0050): official mailboxes (IMAP) and watched folders feeding the units'
"awaiting receipt" queue through ``exchange.services``. One :class:`IntakeItem` per message or file says what
became of it; its unique keys make a restarted worker find what it already did instead of doing it twice."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SourceKind(models.TextChoices):
    MAILBOX = "mailbox", _("Official mailbox")
    FOLDER = "folder", _("Watched folder")


class Source(models.Model):
    """A mailbox (its credentials live in settings ``DIEUHANH_INTAKE_MAILBOXES[settings_key]``, never in the
    database) or a folder (``path``). ``unit`` is the unit it feeds; a folder without one reads the unit code from
    the first sub-folder a file is dropped in."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=SourceKind.choices)
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    settings_key = models.CharField(_("mailbox settings key"), max_length=100, blank=True)
    path = models.CharField(_("folder"), max_length=500, blank=True)
    active = models.BooleanField(_("active"), default=True)
    uidvalidity = models.BigIntegerField(null=True, blank=True)  # of the mailbox's folder when last_uid was read
    last_uid = models.BigIntegerField(default=0)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name


class ItemState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    DONE = "done", _("Delivered")
    DUPLICATE = "duplicate", _("Duplicate")
    UNREADABLE = "unreadable", _("Unreadable")


class IntakeItem(models.Model):
    """One message (``ref`` = its Message-ID) or file (``ref`` = its path under the folder)."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="items")
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    unit_code = models.CharField(max_length=50, blank=True)
    ref = models.CharField(_("message id or path"), max_length=500)
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    uid = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(default=0)
    subject = models.TextField(_("subject"), blank=True)
    sender = models.CharField(_("sender"), max_length=255, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=ItemState.choices)
    reason = models.TextField(_("reason"), blank=True)
    raw = models.ForeignKey("documents.Blob", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    packages = models.ManyToManyField("exchange.ReceivedPackage", blank=True, related_name="+")
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    moved_to = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["unit", "-id"]), models.Index(fields=["source", "sha256"])]
        constraints = [
            # one message of one mailbox folder generation is taken in once, even after a crash before the flag
            models.UniqueConstraint(fields=["source", "uidvalidity", "uid"], condition=Q(uid__isnull=False),
                                    name="intake_unique_uid"),
            # one Message-ID (or file path + content) is processed once; later copies are recorded as duplicates
            models.UniqueConstraint(fields=["source", "ref"], condition=~Q(state="duplicate") & Q(uid__isnull=False),
                                    name="intake_unique_message_id"),
            models.UniqueConstraint(fields=["source", "sha256"], condition=Q(state="done"), name="intake_unique_sha"),
        ]

    def __str__(self):
        return f"{self.ref} ({self.state})"
