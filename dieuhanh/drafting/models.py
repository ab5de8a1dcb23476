"""Drafts of outgoing documents: versions, consultation, the sign flow (trình ký) and the signatures applied."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dieuhanh.documents.models import Confidentiality, Urgency


class DraftStatus(models.TextChoices):
    NOT_SUBMITTED = "not_submitted", _("Not submitted")
    CONSULTING = "consulting", _("Consulting")
    IN_PROCESS = "in_process", _("In process")
    RETURNED = "returned", _("Returned")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    SIGNED = "signed", _("Signed, awaiting number")
    NUMBER_REFUSED = "number_refused", _("Number refused")
    ISSUED = "issued", _("Issued")
    CANCELLED = "cancelled", _("Cancelled")


# The drafter may revise, consult and submit in these; the flow owns the draft in the others.
EDITABLE = {DraftStatus.NOT_SUBMITTED, DraftStatus.CONSULTING, DraftStatus.RETURNED, DraftStatus.NUMBER_REFUSED}
IN_FLOW = {DraftStatus.IN_PROCESS, DraftStatus.RESUBMITTED}


class Draft(models.Model):
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("issuing unit"))
    drafting_unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("drafting unit"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="drafts")
    document_type = models.ForeignKey("documents.DocumentType", on_delete=models.PROTECT, verbose_name=_("type"))
    subject = models.TextField(_("subject"))
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Urgency.choices, default=Urgency.NORMAL)
    confidentiality = models.PositiveSmallIntegerField(_("confidentiality"), choices=Confidentiality.choices,
                                                       default=Confidentiality.NORMAL)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    # Planned recipients, in the shape documents.services.create_outgoing takes; checked on every change.
    recipients = models.JSONField(default=list, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=DraftStatus.choices,
                              default=DraftStatus.NOT_SUBMITTED)
    round = models.PositiveSmallIntegerField(default=0)  # submissions so far
    document = models.OneToOneField("documents.Document", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="draft")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["created_by", "status", "id"]),
                   models.Index(fields=["unit", "status", "id"])]

    def __str__(self):
        return self.subject[:80]

    @property
    def is_secret(self):
        return self.confidentiality > Confidentiality.NORMAL


class Conversion(models.TextChoices):
    NONE = "none", _("PDF uploaded")
    PENDING = "pending", _("Converting to PDF…")
    DONE = "done", _("Converted to PDF")
    FAILED = "failed", _("Conversion failed")


class DraftVersion(models.Model):
    """Every upload or change is a new version; older ones are kept as they were."""

    draft = models.ForeignKey(Draft, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField()
    blob = models.ForeignKey("documents.Blob", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=255)
    pdf_blob = models.ForeignKey("documents.Blob", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    conversion = models.CharField(max_length=8, choices=Conversion.choices, default=Conversion.NONE)
    conversion_error = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)  # extracted for the diff between versions
    metadata = models.JSONField(default=dict)  # the draft's fields as they were at this version
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["draft", "number"]
        constraints = [models.UniqueConstraint(fields=["draft", "number"], name="draft_version_unique")]


class Consultation(models.Model):
    """A request for opinions (xin ý kiến) by a date."""

    draft = models.ForeignKey(Draft, on_delete=models.PROTECT, related_name="consultations")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    question = models.TextField(blank=True)
    due_date = models.DateField()
    version = models.ForeignKey(DraftVersion, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    opinion_list: list["Opinion"]  # filled by selectors.consultations_of for the page (one query for all)


class Opinion(models.Model):
    """One addressee of a consultation, a person or a unit; answered once."""

    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="opinions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["consultation", "id"]
        indexes = [models.Index(fields=["user", "answered_at"]), models.Index(fields=["unit", "answered_at"])]


class StepAction(models.TextChoices):
    REVIEW = "review", _("Review")
    INITIAL = "initial", _("Initial (ký nháy)")
    SIGN = "sign", _("Sign")
    FORMAT_CHECK = "format_check", _("Check format")


class StepState(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    CURRENT = "current", _("Current")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Taken(models.TextChoices):
    APPROVE = "approve", _("Approved")
    INITIAL = "initial", _("Initialled")
    SIGN = "sign", _("Signed")
    FORWARD = "forward", _("Forwarded")
    RETURN = "return", _("Returned to the drafter")
    ROLLBACK = "rollback", _("Returned to an earlier step")
    WITHDRAW = "withdraw", _("Signature withdrawn")


class Step(models.Model):
    """One hand in the sign flow. Steps of a submission (round) run in ``order``; exactly one is current while
    the draft is in process."""

    draft = models.ForeignKey(Draft, on_delete=models.PROTECT, related_name="steps")
    round = models.PositiveSmallIntegerField()
    order = models.PositiveSmallIntegerField()
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="draft_steps")
    action = models.CharField(max_length=12, choices=StepAction.choices)
    state = models.CharField(max_length=10, choices=StepState.choices)
    taken = models.CharField(max_length=10, choices=Taken.choices, blank=True)
    comment = models.TextField(blank=True)
    routed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(DraftVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    acted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["draft", "round", "order"]
        indexes = [models.Index(fields=["assignee", "state", "id"])]
        constraints = [models.UniqueConstraint(fields=["draft", "round", "order"], name="draft_step_unique")]


class FlowTemplate(models.Model):
    """A saved route: ``steps`` is ``[{"user_id": .., "action": ..}, ...]``."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    steps = models.JSONField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name


class Signature(models.Model):
    """A PAdES signature applied to the draft's PDF; ``blob_after`` holds the bytes of ``blob_before`` plus the
    incremental update. A withdrawn signature's output is simply no longer the current file."""

    draft = models.ForeignKey(Draft, on_delete=models.PROTECT, related_name="signatures")
    step = models.ForeignKey(Step, null=True, blank=True, on_delete=models.PROTECT, related_name="signatures")
    version = models.ForeignKey(DraftVersion, on_delete=models.PROTECT, related_name="+")
    organization = models.BooleanField(default=False)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    credential = models.ForeignKey("signatures.Credential", on_delete=models.PROTECT, related_name="+")
    blob_before = models.ForeignKey("documents.Blob", on_delete=models.PROTECT, related_name="+")
    blob_after = models.ForeignKey("documents.Blob", on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["draft", "id"]
