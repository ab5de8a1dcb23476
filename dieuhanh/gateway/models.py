"""The gateway's tables: packages waiting to leave (outbox) and packages that arrived (inbox, one row each)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Arrival:
    """What a receiver learns about a package besides its bytes."""

    package_id: str
    source: str  # the sending installation's id (HTTP, AMQP) or "folder"
    transport: str  # "http" | "amqp" | "folder" | "local"
    kind: str


class OutboxState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxItem(models.Model):
    """A package to send to ``destination`` (an organ code). Written in the transaction of the action that
    produced it; the worker claims it (state sending, with a lease in next_attempt_at), sends it, and marks it
    sent or puts it back with a backoff; after MAX_ATTEMPTS it is failed until someone retries it."""

    destination = models.CharField(_("destination"), max_length=64)
    package_id = models.CharField(_("package id"), max_length=255)
    kind = models.CharField(_("kind"), max_length=32, default="edxml")
    payload = models.BinaryField(_("payload"))
    state = models.CharField(_("state"), max_length=10, choices=OutboxState.choices, default=OutboxState.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    last_error = models.TextField(_("last error"), blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing package")
        verbose_name_plural = _("outgoing packages")
        constraints = [models.UniqueConstraint(fields=["destination", "package_id"], name="gateway_outbox_unique")]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="gateway_outbox_due"),
                   models.Index(fields=["package_id"], name="gateway_outbox_package")]

    def __str__(self) -> str:
        return f"{self.package_id} -> {self.destination} ({self.state})"


class InboxItem(models.Model):
    """A package that arrived and was handed to its receiver: the row commits with the receiver's work, so a
    package is handled exactly once whatever the transport delivers twice."""

    source = models.CharField(_("source"), max_length=128)
    package_id = models.CharField(_("package id"), max_length=255)
    kind = models.CharField(_("kind"), max_length=32)
    transport = models.CharField(_("transport"), max_length=16)
    size = models.PositiveIntegerField(_("size"), default=0)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("incoming package")
        verbose_name_plural = _("incoming packages")
        constraints = [models.UniqueConstraint(fields=["source", "package_id"], name="gateway_inbox_unique")]

    def __str__(self) -> str:
        return f"{self.package_id} <- {self.source}"
