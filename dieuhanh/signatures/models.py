"""Signing credentials, the trust list, and the results of signature checks."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CredentialKind(models.TextChoices):
    PERSONAL = "personal", _("Personal signature")
    ORGANIZATION = "organization", _("Organization signature")
    CA = "ca", _("Certificate authority (demo)")
    TSA = "tsa", _("Time-stamp authority (demo)")


class Credential(models.Model):
    """A certificate and, unless it lives on an external device, its key as PKCS#12 encrypted with a passphrase:
    the signer's own for personal keys, one derived from the server's secret for organization keys."""

    kind = models.CharField(max_length=12, choices=CredentialKind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="signing_credentials")
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    certificate_pem = models.TextField()
    p12 = models.BinaryField(null=True, blank=True)  # None: the key is on a token or a remote signing service
    subject = models.CharField(max_length=200)
    serial = models.CharField(max_length=64)
    fingerprint = models.CharField(max_length=64)
    not_after = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # why the subject does not name the holder; such a credential is unusable until approved (decision 0029)
    problem = models.CharField(max_length=300, blank=True, default="")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "kind", "revoked_at"]),
                   models.Index(fields=["unit", "kind", "revoked_at"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.subject}"

    @property
    def external(self):
        return self.p12 is None


class TrustAnchor(models.Model):
    """A root certificate signatures must chain to (the configured trust list)."""

    name = models.CharField(max_length=200)
    certificate_pem = models.TextField()
    fingerprint = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name


class CheckOutcome(models.TextChoices):
    VALID = "valid", _("All signatures valid")
    INVALID = "invalid", _("A signature is not valid")
    UNSIGNED = "unsigned", _("No digital signature")
    UNREADABLE = "unreadable", _("The file cannot be read")


class SignatureCheck(models.Model):
    """One validation of every signature in a stored PDF, kept so the result can be shown and audited."""

    blob = models.ForeignKey("documents.Blob", on_delete=models.PROTECT, related_name="signature_checks")
    outcome = models.CharField(max_length=10, choices=CheckOutcome.choices)
    results = models.JSONField(default=list)
    checked_at = models.DateTimeField(auto_now_add=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        indexes = [models.Index(fields=["blob", "-checked_at"])]
