"""Writes of the standard reports (issue 16): an export run in the background with its progress, a leader's weekly
or monthly schedule, and the periodic job that produces what is due and tells the leader."""

import calendar
import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from dieuhanh.accounts.models import User
from dieuhanh.audit.services import record
from dieuhanh.kernel import zones
from dieuhanh.notifications.services import label, notify_user
from dieuhanh.units.models import Unit

from . import exports, standard
from .schedule_models import Frequency, ReportRun, ReportSchedule, RunStatus
from .selectors import can_read


def _enqueue(run_id: int) -> None:
    from dieuhanh.reports import jobs  # jobs imports this module: the task is looked up when it is queued

    jobs.produce_report_run(run_id)


@transaction.atomic
def start_run(*, actor: User, params: standard.Params) -> ReportRun:
    """Queue an export of ``params`` for ``actor``; the worker produces the .xlsx and the PDF (progress on the run)."""
    if not can_read(actor, params.unit):
        raise PermissionDenied(_("You may not see this unit's figures."))
    run = ReportRun.objects.create(user=actor, unit=params.unit, kind=params.kind, start=params.start, end=params.end,
                                   late_days=params.late_days, zone=zones.current())
    record(actor=actor, action="report.export", obj=run, unit=params.unit,
           data={"kind": params.kind, "start": params.start.isoformat(), "end": params.end.isoformat()})
    transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _progress(run: ReportRun, percent: int, status: str = RunStatus.RUNNING) -> None:
    run.progress, run.status = percent, status
    ReportRun.objects.filter(pk=run.pk).update(progress=percent, status=status)


def produce(run_id: int) -> str:
    """The worker: compute the report, then the two files, saving the progress after each step. The reader's
    permission is checked again (it may have changed since the run was asked for)."""
    run = ReportRun.objects.select_related("user", "unit").filter(pk=run_id).first()
    if run is None or run.status == RunStatus.DONE:
        return "gone"
    _progress(run, 5)
    try:
        if not can_read(run.user, run.unit):
            raise PermissionDenied(_("You may not see this unit's figures."))
        params = standard.Params(kind=run.kind, unit=run.unit, start=run.start, end=run.end, late_days=run.late_days)
        with zones.in_zone(run.zone), translation.override("vi"):
            report = standard.build(run.user, params)
            _progress(run, 60)
            xlsx = exports.to_xlsx(report)
            _progress(run, 80)
            pdf = exports.to_pdf(report)
    except (PermissionDenied, ValidationError) as exc:
        ReportRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error=str(exc)[:500],
                                                   finished_at=timezone.now())
        return "failed"
    ReportRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE, progress=100, xlsx=xlsx, pdf=pdf,
                                               finished_at=timezone.now())
    return "done"


def run_of(user: User, run_id: int) -> ReportRun:
    """The run, for the person who asked for it only (anyone else: PermissionDenied, as if it did not exist)."""
    run = ReportRun.objects.select_related("unit").defer("xlsx", "pdf").filter(pk=run_id, user=user).first()
    if run is None:
        raise PermissionDenied(_("This export is not yours."))
    return run


def file_of(user: User, run_id: int, fmt: str) -> tuple[bytes, str, str]:
    """The file of a finished run: (bytes, filename, content type). A file produced for the closed network is not
    served to the internet zone."""
    run = ReportRun.objects.select_related("unit").filter(pk=run_id, user=user).first()
    if run is None:
        raise PermissionDenied(_("This export is not yours."))
    if fmt not in ("xlsx", "pdf"):
        raise ValidationError({"format": _("Choose xlsx or pdf.")})
    if run.status != RunStatus.DONE:
        raise ValidationError({"run": _("The export is not ready yet.")})
    if run.zone == zones.CLOSED and zones.current() != zones.CLOSED:
        raise PermissionDenied(_("This export was produced for the closed network; download it from there."))
    data = bytes((run.xlsx if fmt == "xlsx" else run.pdf) or b"")
    name = f"bao-cao-{run.kind}-{run.unit_id}-{run.start:%Y%m%d}-{run.end:%Y%m%d}.{fmt}"
    return data, name, exports.XLSX if fmt == "xlsx" else exports.PDF


# --- schedules ---------------------------------------------------------------------------------------------------

def period_before(frequency: str, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The whole week (Monday to Sunday) or month before ``day``."""
    if frequency == Frequency.WEEKLY:
        monday = day - datetime.timedelta(days=day.weekday())
        return monday - datetime.timedelta(days=7), monday - datetime.timedelta(days=1)
    last = day.replace(day=1) - datetime.timedelta(days=1)
    return last.replace(day=1), last


def next_run_after(frequency: str, day: datetime.date) -> datetime.date:
    """The first run after ``day``: next Monday, or the first of next month."""
    if frequency == Frequency.WEEKLY:
        return day + datetime.timedelta(days=7 - day.weekday())
    days = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1) + datetime.timedelta(days=days)


@transaction.atomic
def create_schedule(*, actor: User, kind: Any, unit: Unit, frequency: Any, late_days: int = 1) -> ReportSchedule:
    """A leader schedules a report of a unit they read, weekly or monthly."""
    errors = {}
    if kind not in standard.KINDS:
        errors["kind"] = _("Unknown report: choose one of %(kinds)s.") % {"kinds": ", ".join(standard.KINDS)}
    if frequency not in Frequency.values:
        errors["frequency"] = _("Choose weekly or monthly.")
    if errors:
        raise ValidationError(errors)
    if not can_read(actor, unit):
        raise PermissionDenied(_("You may not see this unit's figures."))
    schedule = ReportSchedule.objects.create(user=actor, unit=unit, kind=kind, frequency=frequency,
                                             late_days=late_days,
                                             next_run=next_run_after(frequency, timezone.localdate()))
    record(actor=actor, action="report.schedule.create", obj=schedule, unit=unit,
           data={"kind": kind, "frequency": frequency})
    return schedule


@transaction.atomic
def cancel_schedule(*, actor: User, schedule_id: int) -> None:
    schedule = ReportSchedule.objects.select_for_update().filter(pk=schedule_id, user=actor, active=True).first()
    if schedule is None:
        raise PermissionDenied(_("This schedule is not yours."))
    schedule.active = False
    schedule.save(update_fields=["active"])
    record(actor=actor, action="report.schedule.cancel", obj=schedule, unit=schedule.unit, data={})


def run_due(today: datetime.date | None = None) -> dict[str, int]:
    """The periodic job: every active schedule due by ``today`` produces the period before it (xlsx and PDF) and
    tells its leader with a link; a leader who may no longer read the unit is told the schedule stopped."""
    today = today or timezone.localdate()
    counts = {"produced": 0, "stopped": 0}
    due = ReportSchedule.objects.select_related("user", "unit").filter(active=True, next_run__lte=today)
    for schedule_id in list(due.values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            schedule = ReportSchedule.objects.select_for_update().select_related("user", "unit").filter(
                pk=schedule_id, active=True, next_run__lte=today).first()
            if schedule is None:
                continue
            schedule.next_run = next_run_after(schedule.frequency, today)
            if not can_read(schedule.user, schedule.unit):
                schedule.active = False
                schedule.save(update_fields=["next_run", "active"])
                notify_user(schedule.user, gettext_noop("Your scheduled report of %(unit)s stopped: you may no "
                                                        "longer read that unit."), {"unit": schedule.unit.name})
                counts["stopped"] += 1
                continue
            schedule.save(update_fields=["next_run"])
            start, end = period_before(schedule.frequency, today)
            run = ReportRun.objects.create(user=schedule.user, unit=schedule.unit, kind=schedule.kind, start=start,
                                           end=end, late_days=schedule.late_days, schedule=schedule,
                                           zone=zones.CLOSED)
        if produce(run.pk) == "done":
            link = reverse("standard_reports:run", args=[run.pk])
            notify_user(schedule.user, gettext_noop("Your scheduled report is ready: %(title)s, %(unit)s, "
                                                    "%(start)s to %(end)s."),
                        {"title": label(standard.KINDS[schedule.kind]), "unit": schedule.unit.name,
                         "start": start.strftime("%d/%m/%Y"), "end": end.strftime("%d/%m/%Y")}, link=link)
            counts["produced"] += 1
    return counts
