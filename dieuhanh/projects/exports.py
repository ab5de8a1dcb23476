"""The registry's report as .xlsx and PDF, and the bulk import from .xlsx with a row-by-row report."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from dieuhanh.kernel import xlsx
from dieuhanh.kernel.pdf import styles
from dieuhanh.units.models import Unit

from . import selectors, services
from .models import Level, Status

if TYPE_CHECKING:
    from dieuhanh.accounts.models import User

IMPORT_COLUMNS = ["code", "name", "unit_code", "scope_code", "level", "kind", "objective", "functions", "reuses",
                  "budget_amount", "currency", "budget_year", "budget_source", "starts_on", "ends_on"]
MAX_IMPORT_ROWS = 2000


def _report_rows() -> list[tuple[str, list[list[Any]]]]:
    s = selectors.summary()
    return [
        (_("By level"), [[Level(r["level"]).label if r["level"] in Level.values else r["level"], r["n"]]
                         for r in s["by_level"]]),
        (_("By status"), [[Status(r["status"]).label if r["status"] in Status.values else r["status"], r["n"]]
                          for r in s["by_status"]]),
        (_("By function"), [[r["name"], r["n"]] for r in s["by_function"]]),
        (_("Budget"), [[f'{r["currency"]} {r["budget_year"] or ""}', f'{r["total"] or 0:,}'.replace(",", "."), r["n"]]
                       for r in s["budget"]]),
        (_("Overlaps and decisions"), [[a.project.code, a.get_verdict_display(), a.reuse.code if a.reuse else "",
                                        a.reason] for a in selectors.overlaps()]),
        (_("Shared platforms by unit"), [[r["platform"], r["unit"], r["projects"]] for r in selectors.platform_map()]),
    ]


def report_xlsx() -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in _report_rows():
        sheet = wb.create_sheet(title[:31])
        for row in rows:
            xlsx.append(sheet, [c if isinstance(c, int | float) else str(c) for c in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def report_pdf() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

    st = styles()
    story: list[Any] = [Paragraph(_("Digital-transformation projects"), st["title"])]
    for title, rows in _report_rows():
        story.append(Paragraph(title, st["bold"]))
        if rows:
            story.append(Table([[Paragraph(str(c), st["small"]) for c in row] for row in rows]))
        else:
            story.append(Paragraph("—", st["small"]))
        story.append(Spacer(1, 8))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4).build(story)
    return out.getvalue()


def _row_data(values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {k: values.get(k) for k in IMPORT_COLUMNS if k not in ("unit_code", "scope_code")}
    for key, field in (("unit_code", "unit_id"), ("scope_code", "scope_id")):
        code = str(values.get(key) or "").strip()
        if code:
            unit = Unit.objects.filter(code=code).only("pk").first()
            if unit is None:
                errors[key] = _("No such unit.")
            else:
                data[field] = unit.pk
        elif key == "unit_code":
            errors[key] = _("This field is required.")
    for key in ("functions", "reuses"):
        data[key] = [c.strip() for c in str(values.get(key) or "").replace(";", ",").split(",") if c.strip()]
    return data


def import_xlsx(*, actor: User, fileobj: Any, good_rows_only: bool) -> dict[str, Any]:
    """Import projects from the first sheet (header row = IMPORT_COLUMNS). All-or-nothing unless ``good_rows_only``;
    either way the answer lists every row: imported, or refused with its fields' messages."""
    try:
        wb = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationError({"file": _("Not an .xlsx workbook.")}) from exc
    rows = wb.worksheets[0].iter_rows(values_only=True)
    header = [str(c or "").strip() for c in next(rows, [])]
    missing = [c for c in ("code", "name", "unit_code") if c not in header]
    if missing:
        raise ValidationError({"file": _("Missing columns: %s.") % ", ".join(missing)})
    report: list[dict[str, Any]] = []
    with transaction.atomic():
        for number, raw in enumerate(rows, start=2):
            if number > MAX_IMPORT_ROWS + 1:
                raise ValidationError({"file": _("At most %d rows per import.") % MAX_IMPORT_ROWS})
            if not any(v not in (None, "") for v in raw):
                continue
            values = dict(zip(header, raw, strict=False))
            errors: dict[str, str] = {}
            data = _row_data(values, errors)
            try:
                with transaction.atomic():
                    if errors:
                        raise ValidationError(errors)
                    project = services.create_project(actor=actor, data=data)
                report.append({"row": number, "ok": True, "code": project.code, "id": project.pk, "errors": []})
            except ValidationError as exc:
                report.append({"row": number, "ok": False, "code": str(values.get("code") or ""),
                               "errors": [{"field": f, "message": " ".join(m)} for f, m in exc.message_dict.items()]})
            except PermissionDenied as exc:
                report.append({"row": number, "ok": False, "code": str(values.get("code") or ""),
                               "errors": [{"field": "unit_code", "message": str(exc)}]})
        refused = [r for r in report if not r["ok"]]
        committed = good_rows_only or not refused
        if not committed:
            transaction.set_rollback(True)
            for r in report:
                if r["ok"]:
                    r["ok"], r["id"] = False, None
                    r["errors"] = [{"field": "", "message": _("Not imported: other rows were refused.")}]
    return {"imported": sum(1 for r in report if r["ok"]), "refused": len(refused), "committed": committed,
            "rows": report}


def template_xlsx() -> bytes:
    wb = Workbook()
    xlsx.append(wb.active, IMPORT_COLUMNS)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
