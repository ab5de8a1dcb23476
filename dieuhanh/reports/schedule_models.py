"""What the standard reports keep (issue 16): an export produced in the background (with its progress and, when
ready, its files), and a leader's schedule of a report, weekly or monthly."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being produced")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly (the week before)")
    MONTHLY = "monthly", _("Monthly (the month before)")


class ReportSchedule(models.Model):
    """A leader asks for a report of a unit they read, every week or month; the worker produces it (xlsx and PDF)
    and notifies them with a link."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    frequency = models.CharField(max_length=8, choices=Frequency.choices)
    late_days = models.PositiveSmallIntegerField(default=1)
    next_run = models.DateField()
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["active", "next_run"], name="report_schedule_due"),
                   models.Index(fields=["user", "id"], name="report_schedule_user")]


class ReportRun(models.Model):
    """One export of a standard report: its parameters, progress while the worker produces it, then the files.
    Only the person who asked reads it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    start = models.DateField()
    end = models.DateField()
    late_days = models.PositiveSmallIntegerField(default=1)
    schedule = models.ForeignKey(ReportSchedule, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs")
    status = models.CharField(max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    xlsx = models.BinaryField(null=True, blank=True)
    pdf = models.BinaryField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    zone = models.CharField(max_length=8, default="closed")  # the network zone it was asked from (kernel.zones)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-id"], name="report_run_user")]
