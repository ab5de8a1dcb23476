"""Writes for tasks: assign, sub-task, report, decide, recurrences and reminders.

Statuses: a progress report moves a task to "in progress" at once; "completed", "propose closing" and "propose
extension" reports put the task in the matching proposed status until the executing unit's leader and then the
assigning side approve (the final approval completes, closes or extends it); a refusal returns it to in progress.
"""

from __future__ import annotations

import calendar as month_calendar
import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from dieuhanh.accounts.policy import require
from dieuhanh.audit.services import record
from dieuhanh.documents.models import Document
from dieuhanh.documents.services import resolve_blobs
from dieuhanh.kernel.text import nfc
from dieuhanh.notifications.services import label, notify_unit, notify_user
from dieuhanh.processing import calendar
from dieuhanh.units.models import Unit

from . import policy
from .models import (
    OPEN_STATUSES,
    CoHandler,
    Frequency,
    Origin,
    Recurrence,
    Reminder,
    Report,
    ReportKind,
    Stage,
    Task,
    TaskFile,
    TaskStatus,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any

    from dieuhanh.accounts.models import User

PROPOSED: dict[str, str] = {
    ReportKind.COMPLETE: TaskStatus.COMPLETED_AWAITING, ReportKind.PROPOSE_CLOSE: TaskStatus.CLOSING_PROPOSED,
    ReportKind.PROPOSE_EXTENSION: TaskStatus.EXTENSION_PROPOSED}


def _link(task: Task) -> str:
    return f"/tasks/{task.pk}/"


def _tell_executor(task: Task, msgid: str, params: dict[str, Any]) -> None:
    if task.lead_user is not None:
        notify_user(task.lead_user, msgid, params, link=_link(task))
    else:
        notify_unit(task.executing_unit, msgid, params, link=_link(task))


def _about_report(report: Report, task: Task) -> dict[str, object]:
    """The params of a message about a report: its kind (a label, translated when shown) and the task's title."""
    return {"kind": label(ReportKind(report.kind).label), "title": task.title[:200]}


def _set(task: Task, status: str) -> None:
    task.status = status
    task.status_at = timezone.now()
    if status == TaskStatus.COMPLETED:
        task.completed_at = task.status_at
        task.percent_done = 100


def _check_dates(start_date: datetime.date | None, deadline: datetime.date | None,
                 parent: Task | None = None) -> None:
    errors: dict[str, str] = {}
    if start_date is None:
        errors["start_date"] = _("This field is required.")
    if deadline is None:
        errors["deadline"] = _("This field is required.")
    if errors or start_date is None or deadline is None:
        raise ValidationError(errors)
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
    if deadline < start_date:
        raise ValidationError({"deadline": _("The deadline cannot be before the start date.")})
    if parent is not None:
        if start_date < parent.start_date:
            raise ValidationError({"start_date": _("A sub-task cannot start before its parent (%(date)s).") % {
                "date": f"{parent.start_date:%d/%m/%Y}"}})
        if deadline > parent.deadline:
            raise ValidationError({"deadline": _("A sub-task cannot end after its parent (%(date)s).") % {
                "date": f"{parent.deadline:%d/%m/%Y}"}})


def _targets(assigning_unit: Unit, unit_ids: Sequence[int], lead_user_id: int | None,
             co_handlers: Any) -> tuple[list[tuple[Unit, User | None]], list[dict[str, Any]]]:
    """[(executing unit, lead user or None)] and the co-handlers, all within the assigning unit's reach."""
    User = get_user_model()
    if bool(unit_ids) == (lead_user_id is not None):
        raise ValidationError({"unit_ids": _("Assign to one or more units, or to one lead person.")})
    targets: list[tuple[Unit, Any]] = []  # (unit, lead person or None); User here is the model found at run time
    if unit_ids:
        units = Unit.objects.in_bulk(unit_ids)
        for i, pk in enumerate(unit_ids):
            unit = units.get(pk)
            if unit is None or not policy.in_reach(assigning_unit, unit):
                raise ValidationError({f"unit_ids.{i}": _("This unit is outside your reach.")})
            targets.append((unit, None))
        if len(set(unit_ids)) != len(unit_ids):
            raise ValidationError({"unit_ids": _("A unit is named twice.")})
    else:
        assert lead_user_id is not None  # checked at the top: units or one person
        person = User.objects.filter(pk=lead_user_id, is_active=True).first()
        unit = policy.unit_of_person_in_reach(assigning_unit, person) if person else None
        if unit is None:
            raise ValidationError({"lead_user_id": _("This person is outside your reach.")})
        targets.append((unit, person))
    cos: list[dict[str, Any]] = []
    for i, c in enumerate(co_handlers or []):
        if c.get("unit_id") is not None:
            unit = Unit.objects.filter(pk=c["unit_id"]).first()
            if unit is None or not policy.in_reach(assigning_unit, unit):
                raise ValidationError({f"co_handlers.{i}": _("This unit is outside your reach.")})
            cos.append({"unit": unit})
        elif c.get("user_id") is not None:
            person = User.objects.filter(pk=c["user_id"], is_active=True).first()
            if person is None or policy.unit_of_person_in_reach(assigning_unit, person) is None:
                raise ValidationError({f"co_handlers.{i}": _("This person is outside your reach.")})
            cos.append({"user": person})
        else:
            raise ValidationError({f"co_handlers.{i}": _("Give unit_id or user_id.")})
    return targets, cos


def _origin(origin: str, origin_document_id: int | None, origin_text: str, parent: Task | None) -> Document | None:
    if origin not in Origin.values:
        raise ValidationError({"origin": _("Must be one of: %(values)s.") % {"values": ", ".join(Origin.values)}})
    document = None
    if origin == Origin.DOCUMENT:
        document = Document.objects.filter(pk=origin_document_id or 0).first()
        if document is None:
            raise ValidationError({"origin_document_id": _("Unknown document.")})
    if origin == Origin.MEETING and not nfc(origin_text):
        raise ValidationError({"origin_text": _("Name the meeting and its conclusion.")})
    if origin == Origin.TASK and parent is None:
        raise ValidationError({"origin": _("A task from a parent task is created as a sub-task.")})
    return document


@transaction.atomic
def assign_task(*, actor: User, unit: Unit, title: str, start_date: datetime.date, deadline: datetime.date,
                description: str = "", unit_ids: Sequence[int] = (), lead_user_id: int | None = None,
                co_handlers: Any = (), origin: str = Origin.NONE, origin_document_id: int | None = None,
                origin_text: str = "", files: Iterable[dict[str, Any]] = (), parent: Task | None = None,
                recurrence: Any = None, check_permission: bool = True) -> list[Task]:
    """One task per target unit, or one task to a lead person with co-handlers."""
    if check_permission:
        if parent is not None:
            require(policy.can_report(actor, parent) or policy.can_decide_for_unit(actor, parent),
                    _("Only the executing side creates sub-tasks."))
        else:
            require(policy.can_assign(actor, unit), _("Only a leader of the unit assigns its tasks."))
    title = nfc(title) or ""
    if not title:
        raise ValidationError({"title": _("This field is required.")})
    if len(title) > 500:
        raise ValidationError({"title": _("At most %(n)s characters.") % {"n": 500}})
    _check_dates(start_date, deadline, parent)
    document = _origin(origin, origin_document_id, origin_text, parent)
    targets, cos = _targets(unit, list(unit_ids), lead_user_id, co_handlers)
    blobs = resolve_blobs(list(files))
    now = timezone.now()
    tasks = []
    for executing_unit, lead in targets:
        task = Task.objects.create(
            assigning_unit=unit, assigned_by=actor, title=title, description=nfc(description) or "",
            start_date=start_date, deadline=deadline, origin=Origin.TASK if parent else origin,
            origin_document=document, origin_text=nfc(origin_text) or "", parent=parent,
            executing_unit=executing_unit, lead_user=lead, status_at=now, recurrence=recurrence)
        for c in cos:
            CoHandler.objects.create(task=task, **c)
        for blob, name, _is_main in blobs:
            TaskFile.objects.create(task=task, blob=blob, name=name[:255])
        _tell_executor(task, gettext_noop("New task: %(title)s (deadline %(deadline)s)"),
                       {"title": title[:200], "deadline": f"{deadline:%d/%m/%Y}"})
        for c in cos:
            if "user" in c:
                notify_user(c["user"], gettext_noop("Co-handling: %(title)s"), {"title": title[:200]},
                            link=_link(task))
        record(actor=actor, action="task.assign", obj=task, unit=unit,
               data={"executing_unit": executing_unit.pk, "lead_user": lead.pk if lead else None,
                     "deadline": str(deadline), "parent": parent.pk if parent else None})
        tasks.append(task)
    return tasks


def create_subtask(*, actor: User, parent: Task, **kwargs: Any) -> list[Task]:
    """The executing side splits its task; the sub-task stays within the parent's dates."""
    parent = Task.objects.select_related("executing_unit").get(pk=parent.pk)
    if not parent.is_open:
        raise ValidationError({"parent": _("The parent task has ended.")})
    return assign_task(actor=actor, unit=parent.executing_unit, parent=parent, **kwargs)


def _locked(task: Task) -> Task:
    return Task.objects.select_for_update(of=("self",)).select_related(
        "executing_unit", "assigning_unit", "lead_user").get(pk=task.pk)


@transaction.atomic
def submit_report(*, actor: User, task: Task, kind: str, text: str, percent: int | None = None, difficulties: str = "",
                  proposals: str = "", proposed_deadline: datetime.date | None = None,
                  files: Iterable[dict[str, Any]] = ()) -> Report:
    task = _locked(task)
    require(policy.can_report(actor, task), _("Only the executing side reports on this task."))
    if kind not in ReportKind.values:
        raise ValidationError({"kind": _("Must be one of: %(values)s.") % {"values": ", ".join(ReportKind.values)}})
    if not task.is_open:
        raise ValidationError({"status": _("This task is %(status)s.") % {"status": task.get_status_display().lower()}})
    if task.status in PROPOSED.values():
        raise ValidationError({"kind": _("A proposal is already awaiting approval.")})
    text = nfc(text) or ""
    if not text:
        raise ValidationError({"text": _("Describe the progress.")})
    if kind == ReportKind.PROGRESS:
        if not isinstance(percent, int) or not 0 <= percent <= 100:
            raise ValidationError({"percent": _("Give the share done, from 0 to 100.")})
    if kind == ReportKind.PROPOSE_EXTENSION:
        if proposed_deadline is None or proposed_deadline <= task.deadline:
            raise ValidationError({"proposed_deadline": _("Propose a date after the current deadline.")})
        if proposed_deadline > task.deadline + datetime.timedelta(days=settings.DIEUHANH_MAX_EXTENSION_DAYS):
            raise ValidationError({"proposed_deadline": _("An extension is at most %(days)s days.") % {
                "days": settings.DIEUHANH_MAX_EXTENSION_DAYS}})
        if task.extensions >= settings.DIEUHANH_MAX_EXTENSIONS:
            raise ValidationError({"proposed_deadline": _("At most %(n)s extensions.") % {
                "n": settings.DIEUHANH_MAX_EXTENSIONS}})
        if task.parent is not None and proposed_deadline > task.parent.deadline:
            raise ValidationError({"proposed_deadline": _("A sub-task cannot end after its parent.")})
    if kind == ReportKind.PROGRESS:
        stage = Stage.NOTED
    elif policy.can_decide_for_unit(actor, task):
        stage = Stage.AWAITING_ASSIGNER  # the unit's own leader reports: stage one is done
    else:
        stage = Stage.AWAITING_UNIT_LEADER
    report = Report.objects.create(task=task, kind=kind, percent=percent, text=text,
                                   difficulties=nfc(difficulties) or "", proposals=nfc(proposals) or "",
                                   proposed_deadline=proposed_deadline, stage=stage, submitted_by=actor,
                                   unit_decided_by=actor if stage == Stage.AWAITING_ASSIGNER else None)
    for blob, name, _is_main in resolve_blobs(list(files)):
        TaskFile.objects.create(task=task, report=report, blob=blob, name=name[:255])
    if kind == ReportKind.PROGRESS:
        assert percent is not None  # checked above for a progress report
        task.percent_done = percent
        _set(task, TaskStatus.IN_PROGRESS)
    else:
        _set(task, PROPOSED[kind])
        if stage == Stage.AWAITING_ASSIGNER:
            notify_user(task.assigned_by, gettext_noop("%(kind)s: %(title)s"), _about_report(report, task),
                        link=_link(task))
        else:  # awaiting the executing unit's leader
            notify_unit(task.executing_unit, gettext_noop("Awaiting the executing unit's leader: %(title)s"),
                        {"title": task.title[:200]}, link=_link(task))
    task.save()
    record(actor=actor, action="task.report", obj=task, unit=task.executing_unit,
           data={"report": report.pk, "kind": kind, "percent": percent})
    return report


@transaction.atomic
def decide_report(*, actor: User, report: Report, approve: bool, note: str = "") -> Report:
    task = _locked(report.task)  # the task before its report (parents before children, decision 0038)
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.stage == Stage.AWAITING_UNIT_LEADER:
        require(policy.can_decide_for_unit(actor, task), _("Only a leader of the executing unit decides here."))
    elif report.stage == Stage.AWAITING_ASSIGNER:
        require(policy.can_decide_for_assigner(actor, task), _("Only the assigning side decides here."))
    else:
        raise ValidationError({"stage": _("This report is not awaiting a decision.")})
    report.decision_note = nfc(note) or ""
    report.decided_at = timezone.now()
    if not approve:
        report.stage = Stage.REFUSED
        _set(task, TaskStatus.IN_PROGRESS)
        _tell_executor(task, gettext_noop("Refused: %(kind)s — %(title)s"), _about_report(report, task))
    elif report.stage == Stage.AWAITING_UNIT_LEADER:
        report.stage, report.unit_decided_by = Stage.AWAITING_ASSIGNER, actor
        notify_user(task.assigned_by, gettext_noop("%(kind)s: %(title)s"), _about_report(report, task),
                    link=_link(task))
    else:
        report.stage, report.assigner_decided_by = Stage.APPROVED, actor
        if report.kind == ReportKind.COMPLETE:
            _set(task, TaskStatus.COMPLETED)
        elif report.kind == ReportKind.PROPOSE_CLOSE:
            _set(task, TaskStatus.CLOSED)
        else:
            assert report.proposed_deadline is not None  # an extension report names the date
            task.deadline = report.proposed_deadline
            task.extensions += 1
            _set(task, TaskStatus.IN_PROGRESS)
        _tell_executor(task, gettext_noop("Approved: %(kind)s — %(title)s"), _about_report(report, task))
    report.save()
    task.save()
    record(actor=actor, action="task.decide", obj=task, unit=task.assigning_unit,
           data={"report": report.pk, "approve": bool(approve), "stage": report.stage})
    return report


# --- Recurrences and reminders (daily background jobs) --------------------------------------------------------


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, month_calendar.monthrange(year, month)[1]))


def next_date(day: datetime.date, frequency: str) -> datetime.date:
    if frequency == Frequency.WEEKLY:
        return day + datetime.timedelta(days=7)
    return _add_months(day, 1 if frequency == Frequency.MONTHLY else 3)


@transaction.atomic
def create_recurrence(*, actor: User, unit: Unit, title: str, frequency: str, first_run: datetime.date,
                      executing_unit: Any, lead_user: Any = None, description: str = "",
                      working_days: int = 5) -> Recurrence:
    require(policy.can_assign(actor, unit), _("Only a leader of the unit assigns its tasks."))
    if frequency not in Frequency.values:
        raise ValidationError({"frequency": _("Must be one of: %(values)s.") % {"values": ", ".join(Frequency.values)}})
    if not policy.in_reach(unit, executing_unit):
        raise ValidationError({"executing_unit_id": _("This unit is outside your reach.")})
    if first_run < timezone.localdate():
        raise ValidationError({"first_run": _("The first run cannot be in the past.")})
    recurrence = Recurrence.objects.create(assigning_unit=unit, assigned_by=actor, title=nfc(title)[:500],
                                           description=nfc(description) or "", executing_unit=executing_unit,
                                           lead_user=lead_user, frequency=frequency, working_days=working_days,
                                           next_run=first_run)
    record(actor=actor, action="task.recurrence_create", obj=recurrence, unit=unit, data={"frequency": frequency})
    return recurrence


def generate_recurring(today: datetime.date | None = None) -> int:
    """Create the tasks of every recurrence due by ``today``; each run once, however often this is called."""
    today = today or timezone.localdate()
    created = 0
    for recurrence in Recurrence.objects.filter(active=True, next_run__lte=today).order_by("id"):
        with transaction.atomic():
            locked = Recurrence.objects.select_for_update().get(pk=recurrence.pk)
            while locked.next_run <= today:
                run = locked.next_run
                deadline = max(calendar.add_working_days(run, locked.working_days), today)
                assign_task(actor=locked.assigned_by, unit=locked.assigning_unit, title=locked.title,
                            description=locked.description, start_date=min(run, deadline), deadline=deadline,
                            unit_ids=[] if locked.lead_user_id else [locked.executing_unit_id],
                            lead_user_id=locked.lead_user_id, recurrence=locked, check_permission=False)
                locked.next_run = next_date(run, locked.frequency)
                created += 1
            locked.save(update_fields=["next_run"])
    return created


def send_reminders(today: datetime.date | None = None) -> int:
    """Due soon and due today to the executor; overdue escalates to the assigner; once per task, kind, deadline."""
    today = today or timezone.localdate()
    horizon = calendar.add_working_days(today, settings.DIEUHANH_DUE_SOON_DAYS)
    sent = 0
    for task in (Task.objects.filter(status__in=OPEN_STATUSES, deadline__lte=horizon)
                 .select_related("executing_unit", "lead_user", "assigned_by").iterator(chunk_size=500)):
        kind = "overdue" if task.deadline < today else "due_today" if task.deadline == today else "due_soon"
        try:
            with transaction.atomic():
                Reminder.objects.create(task=task, kind=kind, deadline=task.deadline)
                params = {"deadline": f"{task.deadline:%d/%m/%Y}", "subject": task.title[:150]}
                if kind == "overdue":
                    notify_user(task.assigned_by,
                                gettext_noop("Overdue since %(deadline)s: %(subject)s (%(executor)s)"),
                                {**params, "executor": task.executor_name}, link=_link(task))
                elif kind == "due_today":
                    _tell_executor(task, gettext_noop("Due today: %(subject)s"), params)
                else:
                    _tell_executor(task, gettext_noop("Due on %(deadline)s: %(subject)s"), params)
                record(actor=None, action=f"task.reminder_{kind}", obj=task, unit=task.executing_unit)
            sent += 1
        except IntegrityError:
            continue
    return sent


# --- Reorganization (decision 0040) ------------------------------------------------------------------------------

REASSIGNABLE = ("executing_unit", "assigning_unit")


def reassign_unit(*, task_ids: list[int], field: str, source: Unit, target: Unit) -> int:
    """Point ``field`` (``executing_unit`` or ``assigning_unit``) of the tasks ``task_ids`` still at ``source`` to
    ``target``, in one statement; a reorganization hands an old unit's open tasks to its successor. Runs in the
    caller's transaction, which traces and audits the move."""
    if field not in REASSIGNABLE:
        raise ValueError(f"A task's {field!r} is not a unit a reorganization moves.")
    return Task.objects.filter(pk__in=task_ids, **{field: source}).update(**{field: target})
