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
    # Received through the exchange gateway (from another system or installation).
    in_exchanged = models.PositiveIntegerField(default=0)
    # Working days from arrival to completion, summed over the ended ones whose completion day is known: the
    # dashboard's average is in_done_days / (in_on_time + in_late).
    in_done_days = models.PositiveIntegerField(default=0)
    # Outgoing: issued documents; electronic when every copy went by an electronic channel.
    out_total = models.PositiveIntegerField(default=0)
    out_electronic = models.PositiveIntegerField(default=0)
    out_exchanged = models.PositiveIntegerField(default=0)  # at least one copy through the gateway
    out_paper = models.PositiveIntegerField(default=0)  # at least one paper copy
    out_signed = models.PositiveIntegerField(default=0)  # the organization's digital signature (see services)
    # Tasks given to the unit (executing unit).
    tasks_given = models.PositiveIntegerField(default=0)
    tasks_on_time = models.PositiveIntegerField(default=0)
    tasks_late = models.PositiveIntegerField(default=0)
    tasks_open = models.PositiveIntegerField(default=0)
    tasks_overdue = models.PositiveIntegerField(default=0)
    tasks_extended = models.PositiveIntegerField(default=0)  # the deadline was extended at least once

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "day", "confidentiality"], name="figure_unique_cell")]
        indexes = [models.Index(fields=["day"])]


# The figure columns, in DailyFigure's order (services.FIGURES names the same ones).
FIGURE_COLUMNS = tuple(f.name for f in DailyFigure._meta.concrete_fields
                       if isinstance(f, models.PositiveIntegerField))


class Grain(models.TextChoices):
    DAY = "d", "day"
    MONTH = "m", "month"


class SubtreeFigure(models.Model):
    """Stored totals of a unit's whole SUBTREE (the unit and every unit below it), per day and per month
    (decision 0046), summed from ``DailyFigure`` by the refresh in set-based SQL. A period of a subtree reads its
    whole months here (one row a month) and the partial days at both ends (one row a day); the children of a unit
    read their own rows: no scan over the path range. ``day`` is the first day of the month for a month row."""

    # derived rows written millions at a time by INSERT ... SELECT from rows whose units exist: no database
    # constraint (its deferred check per row would double the refresh); deleting a unit still cascades here
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    grain = models.CharField(max_length=1, choices=Grain.choices)
    day = models.DateField()
    confidentiality = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "grain", "day", "confidentiality"],
                                               name="subtree_figure_unique_cell")]


for _name in FIGURE_COLUMNS:
    SubtreeFigure.add_to_class(_name, models.PositiveIntegerField(default=0))


class DirtyMark(models.Model):
    """A (unit, day) whose figures a save changed; no day: every day of the unit. The job drains them."""

    unit_id = models.BigIntegerField()
    day = models.DateField(null=True, blank=True)


class RefreshState(models.Model):
    """One row: what the last refresh covered."""

    as_of = models.DateField(null=True, blank=True)  # the "today" the stored states were computed for
    last_trace_id = models.BigIntegerField(default=0)  # reorganization traces already applied
    # a digest of every unit's (id, path): a subtree moved since the last run changes it, and the subtree rollups
    # are then summed again (decision 0046)
    tree_digest = models.CharField(max_length=64, blank=True, default="")
    refreshed_at = models.DateTimeField(null=True, blank=True)


from .schedule_models import ReportRun, ReportSchedule  # noqa: E402, F401 - the standard reports (issue 16)
