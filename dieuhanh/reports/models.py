"""Per-unit, per-day rollups of the figures leaders read (issue 16, decision 0045), and what the job needs to keep
them equal to a recount of the raw tables."""

from django.db import models


class DailyFigure(models.Model):
    """The figures of one unit for one day, split by confidentiality so a reader counts only what they are cleared
    for. Incoming figures are keyed by arrival date, outgoing by issue date, tasks by start date; the states
    ("open past deadline") are as of the day of the last refresh (``RefreshState.as_of``)."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    confidentiality = models.PositiveSmallIntegerField(default=0)
    # Incoming: registrations not recalled; the state is the root flow's (the receiving unit's own processing).
    in_total = models.PositiveIntegerField(default=0)
    in_electronic = models.PositiveIntegerField(default=0)
    in_unassigned = models.PositiveIntegerField(default=0)
    in_on_time = models.PositiveIntegerField(default=0)
    in_late = models.PositiveIntegerField(default=0)
    in_open = models.PositiveIntegerField(default=0)
    in_overdue = models.PositiveIntegerField(default=0)
    # Outgoing: issued documents; electronic when every copy went by an electronic channel.
    out_total = models.PositiveIntegerField(default=0)
    out_electronic = models.PositiveIntegerField(default=0)
    # Tasks given to the unit (executing unit).
    tasks_given = models.PositiveIntegerField(default=0)
    tasks_on_time = models.PositiveIntegerField(default=0)
    tasks_late = models.PositiveIntegerField(default=0)
    tasks_open = models.PositiveIntegerField(default=0)
    tasks_overdue = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "day", "confidentiality"], name="figure_unique_cell")]
        indexes = [models.Index(fields=["day"])]


class DirtyMark(models.Model):
    """A (unit, day) whose figures a save changed; no day: every day of the unit. The job drains them."""

    unit_id = models.BigIntegerField()
    day = models.DateField(null=True, blank=True)


class RefreshState(models.Model):
    """One row: what the last refresh covered."""

    as_of = models.DateField(null=True, blank=True)  # the "today" the stored states were computed for
    last_trace_id = models.BigIntegerField(default=0)  # reorganization traces already applied
    refreshed_at = models.DateTimeField(null=True, blank=True)


from .schedule_models import ReportRun, ReportSchedule  # noqa: E402, F401 - the standard reports (issue 16)
