"""Records (hồ sơ): retention table, the yearly file list (danh mục hồ sơ), files and their documents, deposits to
the agency archive with handover minutes, loans of use, appraisal and destruction by council decision."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RetentionPeriod(models.Model):
    """A row of the retention table (Circular 10/2022 style): data, editable; ``years`` empty means permanent."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    label = models.CharField(_("label"), max_length=100)
    years = models.PositiveSmallIntegerField(_("years"), null=True, blank=True)
    basis = models.CharField(_("basis"), max_length=255, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = [models.F("years").desc(nulls_first=True), "code"]

    def __str__(self):
        return self.label

    @property
    def permanent(self):
        return self.years is None


DEFAULT_RETENTION = [
    ("vinh-vien", "Vĩnh viễn", None),
    ("70", "70 năm", 70),
    ("20", "20 năm", 20),
    ("10", "10 năm", 10),
    ("5", "5 năm", 5),
]


def seed_retention(model=RetentionPeriod):
    model.objects.bulk_create(
        [model(code=c, label=label, years=y, basis="Thông tư 10/2022/TT-BNV") for c, label, y in DEFAULT_RETENTION],
        ignore_conflicts=True)


class ListStatus(models.TextChoices):
    DRAFTED = "drafted", _("Drafted")
    APPROVED = "approved", _("Approved")


class FileList(models.Model):
    """The file list (danh mục hồ sơ) of one unit for one year; approved by a leader of the unit."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=10, choices=ListStatus.choices, default=ListStatus.DRAFTED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="filelist_unique_unit_year")]

    def __str__(self):
        return f"{self.unit} {self.year}"


class FileListSection(models.Model):
    """A heading of the list (e.g. "I. Tổ chức, cán bộ")."""

    file_list = models.ForeignKey(FileList, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(_("title"), max_length=255)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["file_list", "order", "id"]


class FileListEntry(models.Model):
    """A planned file: symbol (e.g. ``01.TCCB``), title, retention, the person responsible, notes."""

    file_list = models.ForeignKey(FileList, on_delete=models.CASCADE, related_name="entries")
    section = models.ForeignKey(FileListSection, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="entries")
    symbol = models.CharField(_("file symbol"), max_length=30)
    title = models.CharField(_("title"), max_length=500)
    retention = models.ForeignKey(RetentionPeriod, on_delete=models.PROTECT, related_name="+")
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    responsible_name = models.CharField(_("person responsible"), max_length=150, blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["file_list", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["file_list", "symbol"], name="listentry_unique_symbol")]


class FileStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    DEPOSITED = "deposited", _("Deposited to the archive")
    DESTROYED = "destroyed", _("Destroyed")


class RecordFile(models.Model):
    """A file (hồ sơ). Code = agency identifier + year + file symbol. Read-only to the unit once deposited."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    entry = models.ForeignKey(FileListEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="files")
    symbol = models.CharField(_("file symbol"), max_length=30)
    code = models.CharField(_("file code"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=500)
    retention = models.ForeignKey(RetentionPeriod, on_delete=models.PROTECT, related_name="+")
    access_regime = models.CharField(_("access regime"), max_length=100, blank=True, default="Hạn chế")
    language = models.CharField(_("language"), max_length=20, default="Tiếng Việt")
    # The person who formed the file (người lập hồ sơ), as a name: it must survive a handover to another
    # installation, where the user row does not exist.
    creator = models.CharField(_("creator"), max_length=150, blank=True)
    description = models.TextField(_("description"), blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=FileStatus.choices, default=FileStatus.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    # Filled when the file is closed: time span of its documents, counts, and the end of its retention.
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    document_count = models.PositiveIntegerField(_("documents"), default=0)
    page_count = models.PositiveIntegerField(_("pages"), default=0)
    expires_on = models.DateField(_("retention ends"), null=True, blank=True)
    deposit = models.ForeignKey("Deposit", null=True, blank=True, on_delete=models.SET_NULL, related_name="files")
    legal_hold = models.BooleanField(_("legal hold"), default=False)
    hold_reason = models.CharField(_("reason for the hold"), max_length=500, blank=True)
    # The active freeze holding the file read-only (documents.freeze), or null.
    freeze = models.ForeignKey("documents.Freeze", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="files")

    class Meta:
        indexes = [models.Index(fields=["unit", "year", "id"]), models.Index(fields=["status", "expires_on"])]

    def __str__(self):
        return f"{self.code} {self.title[:60]}"


class FileItem(models.Model):
    """A document in a file. A document may sit in several files; order is by document date, then id."""

    file = models.ForeignKey(RecordFile, on_delete=models.CASCADE, related_name="items")
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="record_items")
    doc_date = models.DateField()
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["file", "doc_date", "document_id"]
        constraints = [models.UniqueConstraint(fields=["file", "document"], name="fileitem_unique_document")]
        indexes = [models.Index(fields=["document", "file"])]


class DepositStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted, awaiting the archive")
    ACCEPTED = "accepted", _("Accepted by the archive")
    REFUSED = "refused", _("Refused")


class Deposit(models.Model):
    """A transfer (nộp lưu) of closed files to the agency archive, with the deposit index and handover minutes."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=DepositStatus.choices,
                              default=DepositStatus.SUBMITTED)
    collection_name = models.CharField(_("collection name"), max_length=255)
    basis = models.CharField(_("basis"), max_length=500, blank=True)
    giver_name = models.CharField(_("giving party: name"), max_length=150)
    giver_position = models.CharField(_("giving party: position"), max_length=150)
    receiver_name = models.CharField(_("receiving party: name"), max_length=150, blank=True)
    receiver_position = models.CharField(_("receiving party: position"), max_length=150, blank=True)
    condition = models.CharField(_("condition"), max_length=500, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    file_count = models.PositiveIntegerField(default=0)
    document_count = models.PositiveIntegerField(default=0)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    # The file codes of the deposit, kept after a refusal releases the files.
    file_codes = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [models.Index(fields=["unit", "id"])]


class Loan(models.Model):
    """The usage register: a deposited file lent for use (who, which file, when, purpose, returned)."""

    file = models.ForeignKey(RecordFile, on_delete=models.PROTECT, related_name="loans")
    borrower = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    borrower_name = models.CharField(_("borrower"), max_length=150)
    purpose = models.CharField(_("purpose"), max_length=500)
    lent_at = models.DateTimeField(auto_now_add=True)
    lent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("due on"), null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    # The day the daily job last reminded the borrower and the archive that the loan is overdue (at most once a day).
    reminded_on = models.DateField(_("reminded on"), null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["file", "id"]),
                   # the daily reminder job reads the loans not returned past their due date
                   models.Index(fields=["due_on"], condition=models.Q(returned_at__isnull=True),
                                name="loan_open_due_on")]


class DispositionDecision(models.Model):
    """A council decision to destroy files past retention (number, date, members)."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("decision number"), max_length=50)
    decided_on = models.DateField(_("decision date"))
    members = models.JSONField(_("council members"), default=list)
    files = models.ManyToManyField(RecordFile, related_name="decisions")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    executed_at = models.DateTimeField(null=True, blank=True)


class DestructionRecord(models.Model):
    """What stays of a destroyed file: its metadata and the list of its documents."""

    file = models.OneToOneField(RecordFile, on_delete=models.PROTECT, related_name="destruction")
    decision = models.ForeignKey(DispositionDecision, on_delete=models.PROTECT, related_name="records")
    metadata = models.JSONField()
    destroyed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    destroyed_at = models.DateTimeField(auto_now_add=True)


class DuplicateMark(models.Model):
    """A document of the unit registered twice: marked as a duplicate of the one kept, so it leaves the unit's
    workbench and progress. The document itself stays; the mark is the unit's (another unit may keep both)."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")
    kept = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "document"], name="duplicatemark_unique_document")]
        indexes = [models.Index(fields=["document", "unit"])]
