"""Pages of the standard reports (issue 16): a report of a unit's subtree over a period, its exports (small ones
straight away, large ones in the background with their progress), the reader's schedules, and a specialist's own
page. Bad input is shown beside its field, never as a 500."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from dieuhanh.accounts.policy import is_system_admin, units_with_roles
from dieuhanh.documents.storage import download_response
from dieuhanh.kernel.ids import parse_id
from dieuhanh.units.models import Unit

from . import exports, periods, schedules, standard
from .schedule_models import Frequency, ReportSchedule
from .selectors import READERS


def readable_units(user: Any) -> list[Unit]:
    """The units a reader starts from: where they lead or deputize (a system administrator: the roots)."""
    if is_system_admin(user):
        return list(Unit.objects.filter(parent__isnull=True).order_by("sort_key", "id")[:100])
    return units_with_roles(user, READERS)


class ReportForm(forms.Form):
    """The report's fields, read as text so that every bad value reaches ``standard.parse`` and its message."""

    kind = forms.CharField(label=gettext_lazy("Report"), required=False, widget=forms.Select)
    unit = forms.CharField(label=gettext_lazy("Unit"), required=False, widget=forms.Select)
    start = forms.CharField(label=gettext_lazy("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.CharField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    late_days = forms.CharField(label=gettext_lazy("Accepted late after (working days)"), required=False,
                                widget=forms.NumberInput(attrs={"min": 0, "max": standard.MAX_LATE_DAYS}))

    def __init__(self, data: Any, units: list[Unit], current: Unit | None) -> None:
        super().__init__(data)
        self.fields["kind"].widget.choices = [(k, str(v)) for k, v in standard.KINDS.items()]
        choices = [(str(u.pk), u.name) for u in units]
        if current is not None and str(current.pk) not in dict(choices):
            choices.append((str(current.pk), current.name))
        self.fields["unit"].widget.choices = choices


def _defaults(units: list[Unit]) -> dict[str, str]:
    today = timezone.localdate()
    return {"kind": "documents", "unit": str(units[0].pk) if units else "",
            "start": today.replace(day=1).isoformat(), "end": today.isoformat(), "late_days": "1"}


def _read(request: HttpRequest, data: Any) -> tuple[ReportForm, standard.Params | None, int]:
    """The form bound to ``data`` and the parameters, or the form with each message beside its field and the
    status to answer (400 bad input, 403 a unit the reader may not see)."""
    units = readable_units(request.user)
    values = {**_defaults(units), **{k: v for k, v in data.items() if k in ReportForm.base_fields}}
    pk = parse_id(values.get("unit"))
    form = ReportForm(values, units, Unit.objects.filter(pk=pk).first() if pk is not None else None)
    form.is_valid()
    try:
        params = standard.parse(request.user, kind=values.get("kind"), unit=values.get("unit"),
                                start=values.get("start"), end=values.get("end"), late_days=values.get("late_days"))
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, " ".join(messages))
        return form, None, 400
    except PermissionDenied as exc:
        form.add_error("unit", str(exc))
        return form, None, 403
    return form, params, 200


def _tables(result: standard.Report, params: standard.Params) -> list[dict[str, Any]]:
    """Each section's rows as the page shows them: the label (a link one level down for a unit below), then each
    value with its column's name (phones show it beside the value)."""
    base = reverse("standard_reports:report")
    tables = []
    for section in result.sections:
        ids = section.row_units or [None] * len(section.rows)
        rows = [{"label": row[0], "cells": list(zip(section.columns[1:], row[1:], strict=False)),
                 "link": f"{base}?{urlencode({**params.as_query(), 'unit': u})}" if u else None}
                for row, u in zip(section.rows, ids, strict=False)]
        totals = ({"label": section.totals[0], "cells": list(zip(section.columns[1:], section.totals[1:],
                                                                 strict=False))} if section.totals else None)
        tables.append({"key": section.key, "title": section.title, "columns": section.columns, "rows": rows,
                       "totals": totals, "note": section.note})
    return tables


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    """A standard report: the form, then its tables; each unit row drills down one level."""
    form, params, status = _read(request, request.GET)
    context: dict[str, Any] = {"form": form, "kinds": standard.KINDS, "frequencies": Frequency.choices,
                               "schedules": ReportSchedule.objects.filter(user=request.user, active=True)
                               .select_related("unit").order_by("id")[:50]}
    if params is not None:
        result = standard.build(request.user, params)
        context.update(report=result, tables=_tables(result, params), params=params, query=urlencode(params.as_query()),
                       parent=params.unit.parent if params.unit.parent_id and standard.can_read(
                           request.user, params.unit.parent) else None,
                       large=standard.is_large(params))
    return render(request, "reports/report.html", context, status=status)


@login_required
@require_POST
def export(request: HttpRequest) -> HttpResponse:
    """Export the report: a small one streams at once, a large one is produced in the background."""
    form, params, status = _read(request, request.POST)
    fmt = request.POST.get("format", "xlsx")
    if params is None or fmt not in ("xlsx", "pdf"):
        if params is not None:
            form.add_error(None, _("Choose xlsx or pdf."))
            status = 400
        return render(request, "reports/report.html", {"form": form, "kinds": standard.KINDS}, status=status)
    if standard.is_large(params) or request.POST.get("background"):
        run = schedules.start_run(actor=request.user, params=params)
        return redirect("standard_reports:run", run.pk)
    with translation.override("vi"):  # the annex is Vietnamese, whatever the reader's interface language
        result = standard.build(request.user, params)
        data = exports.to_xlsx(result) if fmt == "xlsx" else exports.to_pdf(result)
    return download_response(data, filename=exports.filename(result, fmt),
                             content_type=exports.XLSX if fmt == "xlsx" else exports.PDF)


def _run_or_refusal(request: HttpRequest, run_id: Any) -> Any:
    pk = parse_id(run_id)
    try:
        if pk is None:
            raise PermissionDenied(_("This export is not yours."))
        return schedules.run_of(request.user, pk)
    except PermissionDenied as exc:
        return render(request, "site/error.html", {"status": 403, "title": _("Access denied"), "message": str(exc)},
                      status=403)


@login_required
@require_GET
def run(request: HttpRequest, run_id: str) -> HttpResponse:
    found = _run_or_refusal(request, run_id)
    if isinstance(found, HttpResponse):
        return found
    return render(request, "reports/report_run.html", {"run": found, "title": standard.KINDS.get(found.kind, "")})


@login_required
@require_GET
def run_progress(request: HttpRequest, run_id: str) -> HttpResponse:
    """The progress card alone, polled by the run's page until the files are ready."""
    found = _run_or_refusal(request, run_id)
    if isinstance(found, HttpResponse):
        return found
    return render(request, "reports/report_progress.html", {"run": found})


@login_required
@require_GET
def run_file(request: HttpRequest, run_id: str) -> HttpResponse:
    pk = parse_id(run_id)
    try:
        if pk is None:
            raise PermissionDenied(_("This export is not yours."))
        data, name, content_type = schedules.file_of(request.user, pk, request.GET.get("format", "xlsx"))
    except PermissionDenied as exc:
        return render(request, "site/error.html", {"status": 403, "title": _("Access denied"), "message": str(exc)},
                      status=403)
    except ValidationError as exc:
        return render(request, "site/error.html", {"status": 400, "title": _("Invalid input."),
                                                   "message": " ".join(exc.messages)}, status=400)
    return download_response(data, filename=name, content_type=content_type)


@login_required
@require_POST
def schedule(request: HttpRequest) -> HttpResponse:
    """Schedule the report shown, weekly or monthly."""
    form, params, status = _read(request, request.POST)
    if params is not None:
        try:
            schedules.create_schedule(actor=request.user, kind=params.kind, unit=params.unit,
                                      frequency=request.POST.get("frequency"), late_days=params.late_days)
            return redirect(f"{reverse('standard_reports:report')}?{urlencode(params.as_query())}")
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                form.add_error(None, f"{field}: {' '.join(messages)}")
            status = 400
    return render(request, "reports/report.html", {"form": form, "kinds": standard.KINDS,
                                                   "frequencies": Frequency.choices}, status=status)


@login_required
@require_POST
def cancel_schedule(request: HttpRequest, schedule_id: str) -> HttpResponse:
    pk = parse_id(schedule_id)
    try:
        if pk is None:
            raise PermissionDenied(_("This schedule is not yours."))
        schedules.cancel_schedule(actor=request.user, schedule_id=pk)
    except PermissionDenied as exc:
        return render(request, "site/error.html", {"status": 403, "title": _("Access denied"), "message": str(exc)},
                      status=403)
    return redirect("standard_reports:report")


class PeriodForm(forms.Form):
    start = forms.CharField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.CharField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


@login_required
@require_GET
def own(request: HttpRequest) -> HttpResponse:
    """A specialist's own page: their flows and tasks over the period, on time and late, and what is late."""
    today = timezone.localdate()
    values = {"start": today.replace(day=1).isoformat(), "end": today.isoformat(),
              **{k: v for k, v in request.GET.items() if k in ("start", "end")}}
    form = PeriodForm(values)
    form.is_valid()
    context: dict[str, Any] = {"form": form}
    try:
        start, end = periods.dates(values["start"], values["end"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            form.add_error(field, " ".join(messages))
        return render(request, "reports/specialist.html", context, status=400)
    context.update(start=start, end=end, figures=standard.own_figures(request.user, start, end),
                   late=standard.own_late(request.user, start, end), today=today)
    return render(request, "reports/specialist.html", context)
