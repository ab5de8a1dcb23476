"""Processing of registered incoming documents: a leader's direction creates one flow per handler."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Holiday(models.Model):
    """A public holiday or a compensatory day off; data, seeded with Vietnam's holidays. ``provisional`` days come
    from the ``holidays`` package until the government announces the year's days off (decision 0039)."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=100)
    provisional = models.BooleanField(default=False)

    class Meta:
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.name}"


class FlowRole(models.TextChoices):
    LEAD = "lead", _("Lead (chủ trì)")
    CO = "co", _("Co-handling (phối hợp)")
    INFO = "info", _("For information (nhận để biết)")


class FlowStatus(models.TextChoices):
    PENDING = "pending", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    RETURNED = "returned", _("Returned")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")  # co-handling / for-information flows closed when the leads completed
    RECALLED = "recalled", _("Recalled")  # withdrawn because the flow above was returned


OPEN_STATUSES = (FlowStatus.PENDING, FlowStatus.IN_PROGRESS)
ENDED_STATUSES = (FlowStatus.RETURNED, FlowStatus.COMPLETED, FlowStatus.CLOSED, FlowStatus.RECALLED)


class Flow(models.Model):
    """One handler's processing of one registered document. The root flow is the receiving unit's own;
    each assignment or forward adds child flows, each with its own status and deadline."""

    entry = models.ForeignKey("documents.IncomingEntry", on_delete=models.PROTECT, related_name="flows")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")  # the receiving unit
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    depth = models.PositiveSmallIntegerField(default=0)
    role = models.CharField(max_length=8, choices=FlowRole.choices)
    handler_unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="flows")
    handler_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="flows")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Set when a clerk records the direction on a leader's behalf.
    on_behalf_of = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    direction = models.TextField(blank=True)
    deadline = models.DateField(null=True, blank=True)
    urgency = models.PositiveSmallIntegerField(default=0)  # copied from the document: inboxes sort on it
    status = models.CharField(max_length=12, choices=FlowStatus.choices, default=FlowStatus.PENDING)
    status_at = models.DateTimeField()
    result = models.TextField(blank=True)
    reply_document = models.ForeignKey("documents.Document", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    reason = models.TextField(blank=True)
    extensions = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["handler_user", "status", "urgency", "id"], name="flow_inbox_user"),
            models.Index(fields=["handler_unit", "status", "urgency", "id"], name="flow_inbox_unit"),
            models.Index(fields=["entry", "depth"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(handler_unit__isnull=False) & models.Q(handler_user__isnull=True))
                | (models.Q(handler_unit__isnull=True) & models.Q(handler_user__isnull=False)),
                name="flow_one_handler",
            ),
            models.UniqueConstraint(fields=["entry"], condition=models.Q(parent__isnull=True),
                                    name="flow_one_root_per_entry"),
        ]

    def __str__(self):
        return f"{self.get_role_display()} {self.handler_user or self.handler_unit} [{self.status}]"

    @property
    def handler_name(self):
        return (self.handler_user.full_name or self.handler_user.username) if self.handler_user_id else \
            self.handler_unit.name

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES


class FlowRead(models.Model):
    """Who read a flow's document and when (reading does not change the status)."""

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    first_read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["flow", "user"], name="flowread_unique")]


class FlowNote(models.Model):
    """An opinion, a result or a return reason, with files, in a flow's history."""

    class Kind(models.TextChoices):
        OPINION = "opinion", _("Opinion")
        RESULT = "result", _("Result")

    flow = models.ForeignKey(Flow, on_delete=models.PROTECT, related_name="notes")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)


class FlowFile(models.Model):
    note = models.ForeignKey(FlowNote, on_delete=models.PROTECT, related_name="files")
    blob = models.ForeignKey("documents.Blob", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=255)


class ExtensionRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    flow = models.ForeignKey(Flow, on_delete=models.PROTECT, related_name="extension_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    current_deadline = models.DateField(null=True)
    requested_deadline = models.DateField()
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["flow"], condition=models.Q(status="pending"),
                                               name="extension_one_pending")]


class Reminder(models.Model):
    """A reminder already sent, so the daily job never sends the same one twice."""

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12)  # due_soon, due_today, overdue
    deadline = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["flow", "kind", "deadline"], name="reminder_unique")]
