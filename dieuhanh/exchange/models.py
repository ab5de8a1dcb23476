"""Exchange with other systems (issue 17, decision 0047): the directory of outside organs, what arrived (packages,
mail, scanned files) and what we sent, each linked to the documents and deliveries it made."""

from django.db import models
from django.utils.translation import gettext_lazy as _

ORGAN_CODE_RE = r"^[0-9A-Z]{2,3}(\.[0-9A-Z]{2,3}){3}$"  # 000.00.00.G22 (QCVN 102: up to 13 characters)


class OrganChannel(models.TextChoices):
    GATEWAY = "gateway", _("Exchange gateway (edXML)")
    EMAIL = "email", _("Official e-mail")
    PAPER = "paper", _("Paper")


class Organ(models.Model):
    """An organ outside this installation, by its agency code; recipients are picked from it beside our units."""

    code = models.CharField(_("code"), max_length=13, unique=True)
    parent_code = models.CharField(_("parent code"), max_length=13, blank=True)
    name = models.CharField(_("name"), max_length=255)
    address = models.CharField(_("address"), max_length=255, blank=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=OrganChannel.choices,
                               default=OrganChannel.GATEWAY)
    # Reached over a closed (secret-capable) network: only then may a secret document be sent to it electronically.
    closed_network = models.BooleanField(_("closed network"), default=False)
    active = models.BooleanField(_("active"), default=True)
    search_text = models.CharField(max_length=400, editable=False, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class PackageSource(models.TextChoices):
    GATEWAY = "gateway", _("Exchange gateway")
    MAIL = "mail", _("Official mailbox")
    FOLDER = "folder", _("Watched folder")
    API = "api", _("API")
    UPLOAD = "upload", _("Uploaded by a clerk")


class PackageState(models.TextChoices):
    IMPORTED = "imported", _("Imported")
    REFUSED = "refused", _("Refused")
    DUPLICATE = "duplicate", _("Duplicate")


class PackageKind(models.TextChoices):
    DOCUMENT = "document", _("Document package")
    STATUS = "status", _("Status message")
    FILES = "files", _("Files without a package")
    UNKNOWN = "unknown", _("Unreadable")


class ReceivedPackage(models.Model):
    """One arrival, whatever became of it: imported (with the document and deliveries it made), refused (with the
    element and reason) or a duplicate of an earlier arrival. The raw payload is kept as a blob."""

    source = models.CharField(_("source"), max_length=10, choices=PackageSource.choices)
    source_ref = models.CharField(_("source reference"), max_length=500, blank=True)
    kind = models.CharField(max_length=10, choices=PackageKind.choices, default=PackageKind.UNKNOWN)
    package_id = models.CharField(_("package id"), max_length=255, blank=True)  # edXML DocumentId or message id
    sender_code = models.CharField(_("sender code"), max_length=13, blank=True)
    sender_name = models.CharField(_("sender"), max_length=255, blank=True)
    business_type = models.PositiveSmallIntegerField(null=True, blank=True)  # 0 new, 1 revoke, 2 update, 3 replace
    status_code = models.CharField(max_length=2, blank=True)  # for a status message
    subject = models.TextField(blank=True)
    sha256 = models.CharField(max_length=64, db_index=True)
    # What makes two arrivals the same (sender, DocumentId, business type...); set on imported rows only.
    dedupe_key = models.CharField(max_length=400, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=PackageState.choices)
    reason_field = models.CharField(max_length=200, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    document = models.ForeignKey("documents.Document", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    deliveries = models.ManyToManyField("documents.Delivery", blank=True, related_name="+")
    payload = models.ForeignKey("documents.Blob", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    size = models.PositiveBigIntegerField(default=0)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["state", "-id"]), models.Index(fields=["sender_code", "package_id"])]
        constraints = [
            # two arrivals of one package, even at the same instant, import once (the loser records a duplicate)
            models.UniqueConstraint(fields=["sha256"], condition=models.Q(state="imported"),
                                    name="received_unique_sha256"),
            models.UniqueConstraint(fields=["dedupe_key"], condition=models.Q(state="imported") & ~models.Q(
                dedupe_key=""), name="received_unique_key"),
        ]

    def __str__(self):
        return f"{self.get_source_display()} {self.package_id or self.source_ref} ({self.state})"


class SentPackage(models.Model):
    """A package we produced for one outside organ (a document, a revoke/update/replace, or a status about a copy
    that came from outside), with the delivery it speaks for; statuses coming back find the delivery here."""

    # null for a refusal (02) of a package that made no document here
    document = models.ForeignKey("documents.Document", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    delivery = models.ForeignKey("documents.Delivery", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    organ_code = models.CharField(max_length=13)
    edxml_document_id = models.CharField(max_length=255)  # the DocumentId the package carries
    package_id = models.CharField(max_length=255)  # the gateway's id (unique per destination)
    kind = models.CharField(max_length=10, choices=PackageKind.choices)
    business_type = models.PositiveSmallIntegerField(null=True, blank=True)
    status_code = models.CharField(max_length=2, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["edxml_document_id", "organ_code"])]
        constraints = [models.UniqueConstraint(fields=["organ_code", "package_id"], name="sent_unique_package")]
