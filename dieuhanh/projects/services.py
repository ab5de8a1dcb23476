"""Writes on the project registry: one function per action, permission check, validation, write and audit event in
one transaction (decision 0051)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dieuhanh.accounts.policy import require
from dieuhanh.audit.services import record
from dieuhanh.kernel.text import fold, nfc
from dieuhanh.units.models import Unit

from . import index, policy
from .models import (
    CURRENCIES,
    TRANSITIONS,
    Assessment,
    DataObject,
    Function,
    Kind,
    Level,
    Project,
    SharedPlatform,
    Status,
    Verdict,
)

if TYPE_CHECKING:
    from dieuhanh.accounts.models import User

FIELDS = ("code", "name", "unit_id", "scope_id", "level", "kind", "objective", "functions", "reuses", "data_objects",
          "users_count", "scale", "budget_source", "budget_amount", "currency", "budget_year", "starts_on", "ends_on",
          "depends_on")


def _date(value: Any, field: str, errors: dict[str, str]) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        errors[field] = _("Enter a date as YYYY-MM-DD.")
        return None


def _unit(value: Any, field: str, errors: dict[str, str]) -> Unit | None:
    try:
        return Unit.objects.get(pk=int(value))
    except (TypeError, ValueError, Unit.DoesNotExist):
        errors[field] = _("No such unit.")
        return None


def clean(actor: User, data: dict[str, Any], *, project: Project | None = None) -> dict[str, Any]:
    """Validate ``data`` (all fields for a new project, any of them for an update); ValidationError names each
    bad field."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    current = {} if project is None else {"starts_on": project.starts_on, "ends_on": project.ends_on}
    required = ("code", "name", "unit_id", "level", "kind", "functions", "starts_on", "ends_on") if project is None \
        else ()
    for field in required:
        if data.get(field) in (None, "", []):
            errors[field] = _("This field is required.")
    for field in ("code", "name", "objective", "scale", "budget_source"):
        if field in data and field not in errors:
            out[field] = nfc(str(data[field] or "")).strip()
    if "code" in out and not errors.get("code"):
        if len(out["code"]) > 40:
            errors["code"] = _("At most 40 characters.")
        elif Project.objects.filter(code=out["code"]).exclude(pk=project.pk if project else 0).exists():
            errors["code"] = _("A project with this code exists.")
    if "name" in out and len(out["name"]) > 300:
        errors["name"] = _("At most 300 characters.")
    if data.get("unit_id") not in (None, "") and project is None:
        unit = _unit(data["unit_id"], "unit_id", errors)
        if unit is not None:
            if not policy.can_enter(actor, unit):
                errors["unit_id"] = _("You may not enter projects for this unit.")
            out["unit"] = unit
    if data.get("scope_id") not in (None, ""):
        scope = _unit(data["scope_id"], "scope_id", errors)
        if scope is not None:
            out["scope"] = scope
    if "level" in data and "level" not in errors and data["level"] not in Level.values:
        errors["level"] = _("Unknown level.")
    elif "level" in data and "level" not in errors:
        out["level"] = data["level"]
    if "kind" in data and "kind" not in errors and data["kind"] not in Kind.values:
        errors["kind"] = _("Unknown kind.")
    elif "kind" in data and "kind" not in errors:
        out["kind"] = data["kind"]
    if "functions" in data and "functions" not in errors:
        codes = [str(c).strip() for c in (data["functions"] or []) if str(c).strip()]
        found = {f.code: f for f in Function.objects.filter(code__in=codes, active=True)}
        unknown = [c for c in codes if c not in found]
        if unknown:
            errors["functions"] = _("Unknown function code: %s.") % ", ".join(unknown[:5])
        elif not codes:
            errors["functions"] = _("Choose at least one function.")
        out["functions"] = list(found.values())
    if "reuses" in data:
        codes = [str(c).strip() for c in (data["reuses"] or []) if str(c).strip()]
        found_p = {p.code: p for p in SharedPlatform.objects.filter(code__in=codes)}
        unknown = [c for c in codes if c not in found_p]
        if unknown:
            errors["reuses"] = _("Unknown shared platform: %s.") % ", ".join(unknown[:5])
        out["reuses"] = list(found_p.values())
    if "data_objects" in data:
        objs = []
        for item in data["data_objects"] or []:
            name = nfc(str(item.get("name", "") if isinstance(item, dict) else item)).strip()
            if name:
                objs.append((name[:200], bool(item.get("owned", True)) if isinstance(item, dict) else True))
        out["data_objects"] = objs
    if "depends_on" in data:
        ids = [int(i) for i in (data["depends_on"] or []) if str(i).isdigit()]
        deps = list(Project.objects.filter(pk__in=ids))
        if len(deps) != len(set(ids)):
            errors["depends_on"] = _("No such project.")
        out["depends_on"] = deps
    if data.get("budget_amount") not in (None, ""):
        try:
            amount = Decimal(str(data["budget_amount"]))
            if not amount.is_finite() or amount < 0:
                errors["budget_amount"] = _("The budget cannot be negative.")
            elif amount >= Decimal(10) ** 18:
                errors["budget_amount"] = _("The budget is too large.")
            else:
                out["budget_amount"] = amount.quantize(Decimal(1))
        except (InvalidOperation, ValueError):
            errors["budget_amount"] = _("Enter a number.")
    if data.get("currency") not in (None, ""):
        currency = str(data["currency"]).strip().upper()
        if currency not in CURRENCIES:
            errors["currency"] = _("Unknown currency (use %s).") % ", ".join(CURRENCIES)
        out["currency"] = currency
    if data.get("budget_year") not in (None, ""):
        try:
            year = int(data["budget_year"])
            if not 1990 <= year <= 2200:
                raise ValueError
            out["budget_year"] = year
        except (TypeError, ValueError):
            errors["budget_year"] = _("Enter a year between 1990 and 2200.")
    if "users_count" in data and data["users_count"] not in (None, ""):
        try:
            n = int(data["users_count"])
            if not 0 <= n <= 100_000_000:
                raise ValueError
            out["users_count"] = n
        except (TypeError, ValueError):
            errors["users_count"] = _("Enter a whole number, zero or more.")
    for field in ("starts_on", "ends_on"):
        if data.get(field) not in (None, "") and field not in errors:
            day = _date(data[field], field, errors)
            if day is not None:
                out[field] = day
    starts, ends = out.get("starts_on", current.get("starts_on")), out.get("ends_on", current.get("ends_on"))
    if starts and ends and ends < starts and "ends_on" not in errors:
        errors["ends_on"] = _("The period cannot end before it starts.")
    if errors:
        raise ValidationError(errors)
    return out


def _apply(project: Project, cleaned: dict[str, Any]) -> None:
    for field, value in cleaned.items():
        if field not in ("functions", "reuses", "data_objects", "depends_on"):
            setattr(project, field, value)
    if "scope" in cleaned:
        project.scope_path = cleaned["scope"].path


def _save_relations(project: Project, cleaned: dict[str, Any]) -> None:
    if "functions" in cleaned:
        project.functions.set(cleaned["functions"])
    if "reuses" in cleaned:
        project.reuses.set(cleaned["reuses"])
    if "depends_on" in cleaned:
        project.depends_on.set([p for p in cleaned["depends_on"] if p.pk != project.pk])
    if "data_objects" in cleaned:
        project.data_objects.all().delete()
        DataObject.objects.bulk_create([DataObject(project=project, name=n, key=fold(n), owned=o)
                                        for n, o in cleaned["data_objects"]])


def _audit_data(cleaned: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in cleaned.items():
        if k in ("unit", "scope"):
            out[k] = v.pk
        elif k in ("functions", "reuses"):
            out[k] = [x.code for x in v]
        elif k == "depends_on":
            out[k] = [x.pk for x in v]
        else:
            out[k] = str(v) if isinstance(v, Decimal | datetime.date) else v
    return out


def _reviewing_unit(unit: Unit) -> Unit:
    return unit.parent if unit.parent is not None else unit


def _create(actor: User, cleaned: dict[str, Any]) -> Project:
    unit = cleaned["unit"]
    cleaned.setdefault("scope", unit)
    project = Project(created_by=actor, reviewing_unit=_reviewing_unit(unit))
    _apply(project, cleaned)
    project.search_text = fold(f"{project.code} {project.name}")
    project.save()
    _save_relations(project, cleaned)
    index.reindex(project, new=True)
    record(actor=actor, action="project.create", obj=project, unit=unit, data=_audit_data(cleaned))
    return project


@transaction.atomic
def create_project(*, actor: User, data: dict[str, Any]) -> Project:
    """Enter a project for one of the person's units; it starts as proposed."""
    cleaned = clean(actor, data)
    return _create(actor, cleaned)


@transaction.atomic
def update_project(*, actor: User, project: Project, data: dict[str, Any]) -> Project:
    project = Project.objects.select_for_update().get(pk=project.pk)
    require(policy.can_edit(actor, project), _("Only the proposing unit updates its projects."))
    if project.status in (Status.REFUSED, Status.RETIRED):
        raise ValidationError({"status": _("A refused or retired project is no longer updated.")})
    data = {k: v for k, v in data.items() if k != "unit_id"}
    cleaned = clean(actor, data, project=project)
    _apply(project, cleaned)
    project.search_text = fold(f"{project.code} {project.name}")
    project.save()
    _save_relations(project, cleaned)
    if "name" in cleaned or "objective" in cleaned:
        index.reindex(project, new=False)
    record(actor=actor, action="project.update", obj=project, unit=project.unit, data=_audit_data(cleaned))
    return project


def _move(actor: User, project: Project, to: str, **data: Any) -> None:
    if to not in TRANSITIONS[project.status]:
        raise ValidationError({"status": _("A project cannot go from %(a)s to %(b)s.") % {
            "a": Status(project.status).label, "b": Status(to).label}})
    before = project.status
    project.status = to
    project.save()
    record(actor=actor, action="project.status", obj=project, unit=project.unit,
           data={"from": before, "to": to, **data})


def _locked(project: Project) -> Project:
    return Project.objects.select_for_update().select_related("unit", "reviewing_unit").get(pk=project.pk)


@transaction.atomic
def submit(*, actor: User, project: Project) -> Project:
    """The proposing unit sends the proposal for review."""
    project = _locked(project)
    require(policy.can_edit(actor, project), _("Only the proposing unit submits its projects."))
    _move(actor, project, Status.UNDER_REVIEW)
    return project


@transaction.atomic
def assess(*, actor: User, project: Project, verdict: str, reason: str, reuse_id: Any = None,
           candidates: list[dict[str, Any]] | None = None) -> Assessment:
    """The reviewer's duplication assessment: "not a duplicate", or "duplicate: reuse X", always with a reason."""
    project = _locked(project)
    require(policy.can_assess(actor, project), _("Only the reviewing unit's IT body or leaders assess proposals."))
    errors: dict[str, str] = {}
    if project.status != Status.UNDER_REVIEW:
        errors["status"] = _("Only a proposal under review is assessed.")
    if verdict not in Verdict.values:
        errors["verdict"] = _("Choose not a duplicate or duplicate.")
    reason = nfc(reason or "").strip()
    if not reason:
        errors["reason"] = _("Give the reason.")
    reuse = None
    if verdict == Verdict.DUPLICATE:
        try:
            reuse = Project.objects.exclude(pk=project.pk).get(pk=int(reuse_id))
        except (TypeError, ValueError, Project.DoesNotExist):
            errors["reuse_id"] = _("Name the project to reuse.")
    if errors:
        raise ValidationError(errors)
    assessment = Assessment.objects.create(project=project, verdict=verdict, reuse=reuse, reason=reason[:4000],
                                           candidates=candidates or [], by=actor)
    record(actor=actor, action="project.assess", obj=project, unit=project.reviewing_unit,
           data={"verdict": verdict, "reuse": getattr(reuse, "pk", None), "reason": reason[:500]})
    return assessment


@transaction.atomic
def give_opinion(*, actor: User, project: Project, text: str) -> Project:
    """The IT body's opinion; the duplication assessment must be recorded first."""
    project = _locked(project)
    require(policy.can_give_opinion(actor, project), _("Only the reviewing unit's IT body gives the opinion."))
    text = nfc(text or "").strip()
    errors: dict[str, str] = {}
    if project.status != Status.UNDER_REVIEW:
        errors["status"] = _("Only a proposal under review receives an opinion.")
    if not text:
        errors["text"] = _("Write the opinion.")
    if not project.assessments.exists():
        errors["assessment"] = _("Record the duplication assessment first.")
    if errors:
        raise ValidationError(errors)
    project.it_opinion = text[:8000]
    project.save(update_fields=["it_opinion", "updated_at"])
    record(actor=actor, action="project.opinion", obj=project, unit=project.reviewing_unit,
           data={"text": text[:500]})
    return project


@transaction.atomic
def decide(*, actor: User, project: Project, approve: bool, note: str = "") -> Project:
    """The approving leader's decision, after the IT body's opinion and the duplication assessment."""
    project = _locked(project)
    require(policy.can_decide(actor, project), _("Only a leader of the reviewing unit decides."))
    errors: dict[str, str] = {}
    if not project.assessments.exists():
        errors["assessment"] = _("Record the duplication assessment first.")
    if not project.it_opinion:
        errors["it_opinion"] = _("The IT body has not given its opinion yet.")
    if errors:
        raise ValidationError(errors)
    project.decision_note = nfc(note or "").strip()[:4000]
    _move(actor, project, Status.APPROVED if approve else Status.REFUSED, note=project.decision_note[:500])
    return project


@transaction.atomic
def advance(*, actor: User, project: Project, to: str) -> Project:
    """Execution steps of an approved project: in progress, accepted, in operation, retired."""
    project = _locked(project)
    require(policy.can_edit(actor, project), _("Only the proposing unit records its project's progress."))
    if to not in (Status.IN_PROGRESS, Status.ACCEPTED, Status.IN_OPERATION, Status.RETIRED):
        raise ValidationError({"status": _("Unknown status.")})
    _move(actor, project, to)
    return project
