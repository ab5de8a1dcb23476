"""Official documents, their files, numbering series, registers (sổ) and deliveries between units."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentSystem(models.TextChoices):
    STATE = "state", _("State (Decree 30/2020)")
    PARTY = "party", _("Party (Regulation 399-QĐ/TW)")


class DocumentType(models.Model):
    """A kind of document with its abbreviation; seeded from the regulations, editable as data."""

    system = models.CharField(_("system"), max_length=8, choices=DocumentSystem.choices)
    name = models.CharField(_("name"), max_length=100)
    # Empty for công văn (State) and types whose abbreviation is not fixed by the regulation.
    abbreviation = models.CharField(_("abbreviation"), max_length=10, blank=True)
    # State legal normative documents each number in their own series.
    legal_normative = models.BooleanField(default=False)
    is_letter = models.BooleanField(default=False, help_text="Công văn: the symbol has no type abbreviation")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["system", "name"]
        constraints = [models.UniqueConstraint(fields=["system", "name"], name="doctype_unique_name")]

    def __str__(self):
        return f"{self.name} ({self.abbreviation})" if self.abbreviation else self.name


class Urgency(models.IntegerChoices):
    """Exchange priority codes of QCVN 102:2016."""

    NORMAL = 0, _("Normal")
    KHAN = 1, _("Urgent (Khẩn)")
    THUONG_KHAN = 2, _("Very urgent (Thượng khẩn)")
    HOA_TOC = 3, _("Immediate (Hỏa tốc)")
    HOA_TOC_HEN_GIO = 4, _("Immediate, timed (Hỏa tốc hẹn giờ)")


class Confidentiality(models.IntegerChoices):
    NORMAL = 0, _("Normal")
    MAT = 1, _("Secret (Mật)")
    TOI_MAT = 2, _("Top secret (Tối mật)")
    TUYET_MAT = 3, _("Absolute secret (Tuyệt mật)")


class AuthorityForm(models.TextChoices):
    NONE = "", _("(signs in own name)")
    TM = "TM.", "TM."
    KT = "KT.", "KT."
    TL = "TL.", "TL."
    TUQ = "TUQ.", "TUQ."
    Q = "Q.", "Q."


class Term(models.Model):
    """A Party-committee term (nhiệm kỳ): from the day after a congress closes to the close of the next."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="terms")
    name = models.CharField(_("name"), max_length=50)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    class Meta:
        ordering = ["unit", "starts_on"]

    def __str__(self):
        return self.name


class SeriesRule(models.TextChoices):
    YEARLY = "yearly", _("By year (State)")
    TERM = "term", _("By type and term (Party)")


class NumberSeries(models.Model):
    """A numbering series of an issuing unit; numbers are drawn from its per-period counters.

    State: one yearly series for all administrative types, one per legal normative type, and a separate
    secret series. Party: one series per document type over a term (``document_type`` set).
    """

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="number_series")
    name = models.CharField(_("name"), max_length=100)
    system = models.CharField(_("system"), max_length=8, choices=DocumentSystem.choices)
    rule = models.CharField(_("rule"), max_length=8, choices=SeriesRule.choices)
    secret = models.BooleanField(_("secret series"), default=False)
    # Null: every type of the system not claimed by a type-specific series of the unit.
    document_type = models.ForeignKey(DocumentType, null=True, blank=True, on_delete=models.PROTECT)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "system", "secret", "document_type"], name="series_unique_scope",
                nulls_distinct=False,
            )
        ]

    def __str__(self):
        return self.name


class SeriesCounter(models.Model):
    """The last number taken in one period (a year, or a term) of a series. Locked while a number is taken."""

    series = models.ForeignKey(NumberSeries, on_delete=models.PROTECT, related_name="counters")
    period = models.CharField(max_length=20)  # "2026" or "term:<id>"
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "period"], name="counter_unique_period")]


class Blob(models.Model):
    """File content stored once by SHA-256 and never rewritten."""

    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)  # detected from the content, not the name
    storage_name = models.CharField(max_length=200)
    # Risks found in the content, e.g. "javascript" or "embedded-file" in a PDF; shown to whoever opens it.
    flags = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self):
        return self.sha256


class DocumentStatus(models.TextChoices):
    APPROVED = "approved", _("Approved, awaiting issue")
    ISSUED = "issued", _("Issued")
    CANCELLED = "cancelled", _("Issue cancelled")
    RECEIVED = "received", _("Received from outside")


class Freeze(models.Model):
    """A freeze (đóng băng): a set of documents and record files made read-only, with who, when and why.

    The objects currently frozen point at their freeze (``Document.freeze``, ``records.RecordFile.freeze``);
    ``document_ids`` and ``file_ids`` keep what the freeze held once it is lifted. ``unit`` is the scope: the
    unit whose administrators may lift it (null: installation-wide, system administrators only).
    """

    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("unit"))
    reason = models.TextField(_("reason"))
    document_ids = models.JSONField(default=list, blank=True)
    file_ids = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"#{self.pk} {self.reason[:60]}"

    @property
    def active(self):
        return self.lifted_at is None


class Document(models.Model):
    """An official document. Outgoing ones belong to an issuing unit of this installation; documents that
    arrive from outside (paper or external systems) keep the issuer's name and symbol as written."""

    document_type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, verbose_name=_("type"))
    issuing_unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="issued_documents", verbose_name=_("issuing unit"))
    drafting_unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", verbose_name=_("drafting unit"))
    issuer_name = models.CharField(_("issuer"), max_length=255)
    status = models.CharField(_("status"), max_length=12, choices=DocumentStatus.choices)
    series = models.ForeignKey(NumberSeries, null=True, blank=True, on_delete=models.PROTECT)
    period = models.CharField(max_length=20, blank=True)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    symbol = models.CharField(_("number and symbol"), max_length=100, blank=True, db_index=True)
    place = models.CharField(_("place"), max_length=100, blank=True)
    issued_on = models.DateField(_("date"), null=True, blank=True)
    subject = models.TextField(_("subject"))
    signer_name = models.CharField(_("signer"), max_length=150, blank=True)
    signer_position = models.CharField(_("signer position"), max_length=150, blank=True)
    authority = models.CharField(_("authority form"), max_length=5, choices=AuthorityForm.choices, blank=True)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Urgency.choices, default=Urgency.NORMAL)
    confidentiality = models.PositiveSmallIntegerField(_("confidentiality"), choices=Confidentiality.choices,
                                                       default=Confidentiality.NORMAL)
    page_count = models.PositiveIntegerField(_("pages"), default=1)
    language = models.CharField(_("language"), max_length=8, default="vi")
    due_date = models.DateField(_("due date"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    # The active freeze holding the document read-only (documents.freeze), or null.
    freeze = models.ForeignKey(Freeze, null=True, blank=True, on_delete=models.PROTECT, related_name="documents")
    # The document that replaces this one (a replacement sent by its issuer, QCVN 102 BussinessDocType 3).
    replaced_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaces",
                                    verbose_name=_("replaced by"))

    class Meta:
        indexes = [
            models.Index(fields=["issuing_unit", "status", "id"]),
            models.Index(fields=["issuer_name", "symbol", "issued_on"]),
        ]
        constraints = [
            # One number per series and period among issued documents; a cancelled issue frees its number.
            models.UniqueConstraint(fields=["series", "period", "number"], condition=models.Q(status="issued"),
                                    name="document_unique_number"),
        ]

    def __str__(self):
        return f"{self.symbol or '—'} {self.subject[:60]}"

    @property
    def is_secret(self):
        return self.confidentiality > Confidentiality.NORMAL


class DocumentFile(models.Model):
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="files")
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=255)
    is_main = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["document", "-is_main", "order", "id"]


class Channel(models.TextChoices):
    INTERNAL = "internal", _("Electronic, within this installation")
    GATEWAY = "gateway", _("Electronic, through the exchange gateway")
    PAPER = "paper", _("Paper")


class DocumentRecipient(models.Model):
    """A planned recipient (nơi nhận) of an outgoing document; issuing turns each into a delivery."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="recipients")
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    external_code = models.CharField(max_length=13, blank=True)
    name = models.CharField(max_length=255)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    copies = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["document", "id"]


class RegisterKind(models.TextChoices):
    OUTGOING = "outgoing", _("Outgoing register (sổ đi)")
    INCOMING = "incoming", _("Incoming register (sổ đến)")


class Register(models.Model):
    """A book (sổ) of one unit for one year: outgoing or incoming, normal or secret. Opened explicitly,
    never created behind anyone's back; at most one of each kind per unit and year."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="registers")
    kind = models.CharField(_("kind"), max_length=8, choices=RegisterKind.choices)
    secret = models.BooleanField(_("secret"), default=False)
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=150)
    last_entry_number = models.PositiveIntegerField(default=0)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "secret", "year"], name="register_unique_book")
        ]

    def __str__(self):
        return self.name


class OutgoingEntry(models.Model):
    """A row of the outgoing register, frozen when the document is issued."""

    register = models.ForeignKey(Register, on_delete=models.PROTECT, related_name="outgoing_entries")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="outgoing_entries")
    symbol = models.CharField(max_length=100)
    issued_on = models.DateField()
    type_and_subject = models.TextField()
    signer = models.CharField(max_length=200, blank=True)
    recipients = models.TextField(blank=True)
    file_keeper = models.CharField(max_length=255, blank=True)
    copies = models.PositiveIntegerField(default=1)
    sent_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    cancelled = models.BooleanField(default=False)

    class Meta:
        ordering = ["register", "id"]


class ArrivalOrigin(models.TextChoices):
    ELECTRONIC = "electronic", _("Electronic")
    PAPER = "paper", _("Paper")


class IncomingEntry(models.Model):
    """A row of the incoming register: the arrival number runs from 1 each year, paper and electronic alike."""

    register = models.ForeignKey(Register, on_delete=models.PROTECT, related_name="incoming_entries")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="incoming_entries")
    arrival_number = models.PositiveIntegerField(_("arrival number"))
    arrived_on = models.DateField(_("arrival date"))
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="incoming_entries")
    delivery = models.OneToOneField("Delivery", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="incoming_entry")
    origin = models.CharField(max_length=10, choices=ArrivalOrigin.choices)
    handler = models.CharField(_("unit or person handling"), max_length=255, blank=True)
    passed_on = models.DateField(_("date passed on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(auto_now_add=True)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recalled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["register", "arrival_number"]
        constraints = [
            models.UniqueConstraint(fields=["register", "arrival_number"], name="incoming_unique_arrival")
        ]
        indexes = [models.Index(fields=["unit", "-id"])]


class DeliveryStatus(models.TextChoices):
    """Exchange status codes of QCVN 102:2016 as the sender sees them."""

    ARRIVED = "01", _("01 Arrived")
    REFUSED = "02", _("02 Refused")
    ACCEPTED = "03", _("03 Accepted")
    # 04 is sent when a leader directs it, 05 at the handler's first opinion, forward or read (DOMAIN.md).
    ASSIGNED = "04", _("04 Assigned for processing")
    PROCESSING = "05", _("05 Being processed")
    DONE = "06", _("06 Done")
    RECALL_REQUESTED = "13", _("13 Recall requested")
    RECALL_AGREED = "15", _("15 Recall agreed")
    RECALL_REFUSED = "16", _("16 Recall refused")


class Delivery(models.Model):
    """One copy of an issued document on its way to one recipient."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="deliveries")
    # Null for a copy that came from outside the installation: the sender is then its organ code and name.
    sender_unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sender_code = models.CharField(max_length=13, blank=True)
    sender_name = models.CharField(max_length=255, blank=True)
    recipient_unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="deliveries_in")
    # Outside recipients: agency identifier and name as the gateway knows them.
    external_code = models.CharField(max_length=13, blank=True)
    recipient_name = models.CharField(max_length=255)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=2, choices=DeliveryStatus.choices, default=DeliveryStatus.ARRIVED)
    status_at = models.DateTimeField()
    urgency = models.PositiveSmallIntegerField(default=0)  # copied from the document: the inbox sorts on it
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # The awaiting-receipt queue, read backwards: most urgent first, then newest first.
            models.Index(fields=["recipient_unit", "status", "urgency", "id"], name="delivery_inbox"),
            models.Index(fields=["document", "id"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["document", "recipient_unit", "channel"],
                                    condition=models.Q(recipient_unit__isnull=False),
                                    name="delivery_unique_recipient"),
        ]


class DeliveryEvent(models.Model):
    """The trail of a delivery: every status change with who and when; the sender reads it."""

    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="events")
    status = models.CharField(max_length=2, choices=DeliveryStatus.choices, blank=True)
    kind = models.CharField(max_length=20)  # status, withdrawn, ...
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["delivery", "id"]


class IdempotencyRecord(models.Model):
    """The stored answer to a request sent with an ``Idempotency-Key``; a retry gets the same answer."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    endpoint = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_key")]
