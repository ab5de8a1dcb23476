"""Tasks (giao việc): a unit assigns work to units or to a person, who report progress; reports are approved by
the executing unit's leader, then by the assigning side."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED_AWAITING = "completed_awaiting", _("Completed, awaiting approval")
    COMPLETED = "completed", _("Completed")
    CLOSING_PROPOSED = "closing_proposed", _("Closing proposed")
    CLOSED = "closed", _("Closed")
    EXTENSION_PROPOSED = "extension_proposed", _("Extension proposed")


OPEN_STATUSES = (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.COMPLETED_AWAITING,
                 TaskStatus.CLOSING_PROPOSED, TaskStatus.EXTENSION_PROPOSED)
ENDED_STATUSES = (TaskStatus.COMPLETED, TaskStatus.CLOSED)


class Origin(models.TextChoices):
    NONE = "none", _("None")
    DOCUMENT = "document", _("A document")
    MEETING = "meeting", _("A meeting conclusion")
    TASK = "task", _("A parent task")


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class Recurrence(models.Model):
    """A task that repeats: each run creates a task with the same content and a deadline ``days`` later."""

    assigning_unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    executing_unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    lead_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    working_days = models.PositiveSmallIntegerField(default=5, help_text="Deadline after each run, in working days")
    next_run = models.DateField()
    active = models.BooleanField(default=True)


class Task(models.Model):
    assigning_unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="tasks_assigned")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("start date"))
    deadline = models.DateField(_("deadline"))
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.NONE)
    origin_document = models.ForeignKey("documents.Document", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    origin_text = models.CharField(max_length=500, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="subtasks")
    # The unit that executes; for a task given to a person, the unit that person works in.
    executing_unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="tasks")
    lead_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="tasks_led")
    status = models.CharField(max_length=20, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED)
    status_at = models.DateTimeField()
    percent_done = models.PositiveSmallIntegerField(default=0)
    extensions = models.PositiveSmallIntegerField(default=0)
    recurrence = models.ForeignKey(Recurrence, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks")
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["executing_unit", "status", "deadline"]),
            models.Index(fields=["lead_user", "status", "deadline"]),
            models.Index(fields=["assigning_unit", "status", "deadline"]),
        ]
        constraints = [models.CheckConstraint(condition=models.Q(deadline__gte=models.F("start_date")),
                                              name="task_dates_ordered")]

    def __str__(self):
        return self.title

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    @property
    def executor_name(self):
        return (self.lead_user.full_name or self.lead_user.username) if self.lead_user_id else \
            self.executing_unit.name


class CoHandler(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="co_handlers")
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")


class TaskFile(models.Model):
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="files")
    report = models.ForeignKey("Report", null=True, blank=True, on_delete=models.PROTECT, related_name="files")
    blob = models.ForeignKey("documents.Blob", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=255)


class ReportKind(models.TextChoices):
    PROGRESS = "progress", _("Progress")
    COMPLETE = "complete", _("Completed")
    PROPOSE_CLOSE = "propose_close", _("Propose closing")
    PROPOSE_EXTENSION = "propose_extension", _("Propose an extension")


class Stage(models.TextChoices):
    NOTED = "noted", _("Noted")  # progress reports need no approval
    AWAITING_UNIT_LEADER = "awaiting_unit_leader", _("Awaiting the executing unit's leader")
    AWAITING_ASSIGNER = "awaiting_assigner", _("Awaiting the assigning side")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class Report(models.Model):
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(max_length=20, choices=ReportKind.choices)
    percent = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField()
    difficulties = models.TextField(blank=True)
    proposals = models.TextField(blank=True)
    proposed_deadline = models.DateField(null=True, blank=True)
    stage = models.CharField(max_length=24, choices=Stage.choices)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    unit_decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    assigner_decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["task", "id"]
        constraints = [models.UniqueConstraint(
            fields=["task"], condition=models.Q(stage__in=["awaiting_unit_leader", "awaiting_assigner"]),
            name="report_one_pending_per_task")]


class Reminder(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12)
    deadline = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "kind", "deadline"], name="task_reminder_unique")]
