"""/api/v1/reports/standard, /exports, /schedules, /me: the standard reports over the API (issue 16)."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from dieuhanh.documents.storage import download_response
from dieuhanh.kernel.ids import parse_id
from dieuhanh.units.models import Unit

from . import periods, schedules, standard
from .schedule_models import ReportRun, ReportSchedule

router = Router(tags=["reports"])


class StandardErrorItem(Schema):
    field: str
    message: str


class StandardErrorOut(Schema):
    detail: str
    errors: list[StandardErrorItem]


class StandardSectionOut(Schema):
    key: str
    title: str
    columns: list[str]
    rows: list[list[str | int]]
    totals: list[str | int] | None
    note: str


class StandardReportOut(Schema):
    kind: str
    title: str
    unit_id: int
    unit_name: str
    start: datetime.date
    end: datetime.date
    late_days: int
    sections: list[StandardSectionOut]


class StandardExportIn(Schema):
    kind: str = Field(..., max_length=20)
    unit: int
    start: str = Field(..., max_length=20)
    end: str = Field(..., max_length=20)
    late_days: int = 1


class StandardRunOut(Schema):
    id: int
    kind: str
    unit_id: int
    start: datetime.date
    end: datetime.date
    status: str
    progress: int
    error: str
    xlsx_url: str | None
    pdf_url: str | None


class StandardScheduleIn(Schema):
    kind: str = Field(..., max_length=20)
    unit: int
    frequency: str = Field(..., max_length=10)
    late_days: int = 1


class StandardScheduleOut(Schema):
    id: int
    kind: str
    unit_id: int
    frequency: str
    late_days: int
    next_run: datetime.date
    active: bool


class StandardOwnOut(Schema):
    start: datetime.date
    end: datetime.date
    flows: dict[str, int]
    tasks: dict[str, int]


def _forbidden(exc: PermissionDenied, field: str = "unit") -> tuple[int, dict[str, Any]]:
    return 403, {"detail": str(exc), "errors": [{"field": field, "message": str(exc)}]}


def _report_out(report: standard.Report) -> dict[str, Any]:
    p = report.params
    return {"kind": p.kind, "title": report.title, "unit_id": p.unit.pk, "unit_name": p.unit.name, "start": p.start,
            "end": p.end, "late_days": p.late_days,
            "sections": [{"key": s.key, "title": s.title, "columns": s.columns, "rows": s.rows, "totals": s.totals,
                          "note": s.note}
                         for s in report.sections]}


def _run_out(run: ReportRun) -> dict[str, Any]:
    ready = run.status == "done"
    base = reverse("api:standard_report_file", args=[run.pk])
    return {"id": run.pk, "kind": run.kind, "unit_id": run.unit_id, "start": run.start, "end": run.end,
            "status": run.status, "progress": run.progress, "error": run.error,
            "xlsx_url": f"{base}?format=xlsx" if ready else None, "pdf_url": f"{base}?format=pdf" if ready else None}


@router.get("/reports/standard/{kind}", response={200: StandardReportOut, 403: StandardErrorOut},
            summary="A standard report of a unit's subtree over a period")
def standard_report(request: HttpRequest, kind: str, unit: str | None = None, start: str | None = None,
                    end: str | None = None, late_days: str | None = None) -> Any:
    """``kind``: documents, processing, tasks, exchange or digitization. Each table's rows by unit are the unit's
    own work and each unit directly below it; the totals row sums them."""
    try:
        params = standard.parse(request.user, kind=kind, unit=unit, start=start, end=end, late_days=late_days)
        return _report_out(standard.build(request.user, params))
    except PermissionDenied as exc:
        return _forbidden(exc)


@router.post("/reports/exports", response={202: StandardRunOut, 403: StandardErrorOut},
             summary="Export a standard report (.xlsx and PDF), produced in the background")
def start_export(request: HttpRequest, payload: StandardExportIn) -> Any:
    try:
        params = standard.parse(request.user, kind=payload.kind, unit=payload.unit, start=payload.start,
                                end=payload.end, late_days=payload.late_days)
        run = schedules.start_run(actor=request.user, params=params)
    except PermissionDenied as exc:
        return _forbidden(exc)
    run.refresh_from_db()
    return 202, _run_out(run)


@router.get("/reports/exports/{run_id}", response={200: StandardRunOut, 403: StandardErrorOut},
            summary="An export's progress, and its files when ready")
def export_status(request: HttpRequest, run_id: int) -> Any:
    try:
        return _run_out(schedules.run_of(request.user, run_id))
    except PermissionDenied as exc:
        return _forbidden(exc, "run_id")


@router.get("/reports/exports/{run_id}/file", url_name="standard_report_file",
            summary="An export's file: format=xlsx or pdf")
def export_file(request: HttpRequest, run_id: int, format: str = "xlsx") -> HttpResponse:
    data, name, content_type = schedules.file_of(request.user, run_id, format)
    return download_response(data, filename=name, content_type=content_type)


@router.get("/reports/schedules", response=list[StandardScheduleOut], summary="My scheduled reports")
def my_schedules(request: HttpRequest) -> Any:
    mine = ReportSchedule.objects.filter(user=request.user, active=True).order_by("id")[:200]
    return [_schedule_out(s) for s in mine]


def _schedule_out(s: ReportSchedule) -> dict[str, Any]:
    return {"id": s.pk, "kind": s.kind, "unit_id": s.unit_id, "frequency": s.frequency, "late_days": s.late_days,
            "next_run": s.next_run, "active": s.active}


@router.post("/reports/schedules", response={201: StandardScheduleOut, 403: StandardErrorOut},
             summary="Schedule a standard report weekly or monthly")
def add_schedule(request: HttpRequest, payload: StandardScheduleIn) -> Any:
    if not 0 <= payload.late_days <= standard.MAX_LATE_DAYS:
        raise ValidationError({"late_days": _("Give a whole number of working days from 0 to %(max)s.")
                               % {"max": standard.MAX_LATE_DAYS}})
    pk = parse_id(payload.unit)
    unit = Unit.objects.filter(pk=pk).first() if pk is not None else None
    if unit is None:
        raise ValidationError({"unit": _("No such unit.")})
    try:
        schedule = schedules.create_schedule(actor=request.user, kind=payload.kind, unit=unit,
                                             frequency=payload.frequency, late_days=payload.late_days)
    except PermissionDenied as exc:
        return _forbidden(exc)
    return 201, _schedule_out(schedule)


@router.delete("/reports/schedules/{schedule_id}", response={204: None, 403: StandardErrorOut},
               summary="Stop a scheduled report")
def stop_schedule(request: HttpRequest, schedule_id: int) -> Any:
    try:
        schedules.cancel_schedule(actor=request.user, schedule_id=schedule_id)
    except PermissionDenied as exc:
        return _forbidden(exc, "schedule_id")
    return 204, None


@router.get("/reports/me", response=StandardOwnOut, summary="My own flows and tasks over a period, on time and late")
def my_figures(request: HttpRequest, start: str | None = None, end: str | None = None) -> Any:
    first, last = periods.dates(start, end)
    return {"start": first, "end": last, **standard.own_figures(request.user, first, last)}
