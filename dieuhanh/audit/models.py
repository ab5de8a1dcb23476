from django.conf import settings
from django.db import models


class AuditChain(models.Model):
    """The head of one hash chain: one chain per unit, and chain 0 for events without a unit."""

    key = models.BigIntegerField(primary_key=True)  # the unit id, or 0
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")


class AuditEvent(models.Model):
    """One action someone took, written in the same transaction as the action itself.

    Append-only and tamper-evident: each event carries the hash of the previous event of its chain (one chain
    per unit), so editing or deleting a row breaks every hash after it (``dieuhanh audit verify``).
    """

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    data = models.JSONField(default=dict, blank=True)
    chain = models.BigIntegerField(default=0)
    seq = models.PositiveBigIntegerField(default=0)
    prev_hash = models.CharField(max_length=64, default="")
    hash = models.CharField(max_length=64, default="")

    class Meta:
        indexes = [
            models.Index(fields=["object_type", "object_id", "id"]),
            models.Index(fields=["unit", "id"]),
        ]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq_unique")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.object_type}:{self.object_id}"


class AuditCheckpoint(models.Model):
    """A signed statement that chain ``chain`` had head ``(seq, hash)`` at ``at`` (decision 0020).

    Written periodically by the worker and by ``dieuhanh audit checkpoint``. Whoever can write to the database but
    does not hold the signing key cannot cut a chain back past a checkpoint, nor rewrite it consistently, without
    ``dieuhanh audit verify`` noticing."""

    chain = models.BigIntegerField()
    seq = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)
    at = models.DateTimeField()
    public_key = models.CharField(max_length=64)  # base64 of the raw Ed25519 public key that signed it
    signature = models.CharField(max_length=128)  # base64 of the Ed25519 signature

    class Meta:
        indexes = [models.Index(fields=["chain", "seq"])]

    def __str__(self):
        return f"checkpoint chain {self.chain} seq {self.seq} at {self.at:%Y-%m-%d %H:%M}"
