"""/api/v1/tasks: assign, report, decide, lists with counters, tracker."""

import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from dieuhanh.processing.calendar import MAX_WORKING_DAYS, resolve_deadline
from dieuhanh.processing.policy import can_track
from dieuhanh.units.selectors import get_unit

from . import policy, selectors, services
from .models import Frequency, Origin, Report, ReportKind, Stage, TaskStatus

router = Router(tags=["tasks"])


class TaskFileRef(Schema):
    sha256: str = Field(..., min_length=64, max_length=64)
    name: str = Field("", max_length=255)


class CoHandlerIn(Schema):
    unit_id: int | None = None
    user_id: int | None = None


class TaskIn(Schema):
    unit_id: int = Field(..., description="The assigning unit")
    title: str = Field(..., min_length=1, max_length=500, examples=["Tổng kết công tác xây dựng Đảng năm 2026"])
    description: str = Field("", max_length=20000)
    start_date: datetime.date
    deadline: datetime.date | None = Field(None, description="A date, or give working_days instead")
    working_days: int | None = Field(None, ge=1, le=MAX_WORKING_DAYS, examples=[10],
                                     description="Instead of a date: this many working days from the start date")
    confirm_non_working_day: bool = Field(False, description="Keep a deadline that falls on a non-working day")
    unit_ids: list[int] = Field([], max_length=200, description="One task per unit ...")
    lead_user_id: int | None = Field(None, description="... or one task to a lead person")
    co_handlers: list[CoHandlerIn] = Field([], max_length=50)
    origin: Origin = Origin.NONE
    origin_document_id: int | None = None
    origin_text: str = Field("", max_length=500, examples=["Kết luận hội nghị Ban Thường vụ ngày 20/11/2026"])
    files: list[TaskFileRef] = Field([], max_length=20)


class SubtaskIn(Schema):
    title: str = Field(..., min_length=1, max_length=500)
    description: str = Field("", max_length=20000)
    start_date: datetime.date
    deadline: datetime.date
    unit_ids: list[int] = Field([], max_length=200)
    lead_user_id: int | None = None


class ReportIn(Schema):
    kind: ReportKind
    text: str = Field(..., min_length=1, max_length=20000)
    percent: int | None = Field(None, ge=0, le=100)
    difficulties: str = Field("", max_length=5000)
    proposals: str = Field("", max_length=5000)
    proposed_deadline: datetime.date | None = None
    files: list[TaskFileRef] = Field([], max_length=20)


class ReportDecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=5000)


class RecurrenceIn(Schema):
    unit_id: int
    title: str = Field(..., min_length=1, max_length=500)
    description: str = Field("", max_length=20000)
    frequency: Frequency
    first_run: datetime.date
    executing_unit_id: int
    working_days: int = Field(5, ge=1, le=120)


class TaskOut(Schema):
    id: int
    title: str
    description: str
    assigning_unit_id: int
    assigned_by: str
    executing_unit_id: int
    lead_user_id: int | None
    executor: str
    start_date: datetime.date
    deadline: datetime.date
    status: TaskStatus
    percent_done: int
    extensions: int
    parent_id: int | None
    origin: Origin


class ReportOut(Schema):
    id: int
    kind: ReportKind
    percent: int | None
    text: str
    difficulties: str
    proposals: str
    proposed_deadline: datetime.date | None
    stage: Stage
    submitted_by: str
    submitted_at: datetime.datetime
    decision_note: str


class TaskPage(Schema):
    items: list[TaskOut]
    next_cursor: str | None


def task_out(t):
    return {"id": t.pk, "title": t.title, "description": t.description, "assigning_unit_id": t.assigning_unit_id,
            "assigned_by": t.assigned_by.full_name or t.assigned_by.username,
            "executing_unit_id": t.executing_unit_id, "lead_user_id": t.lead_user_id, "executor": t.executor_name,
            "start_date": t.start_date, "deadline": t.deadline, "status": t.status, "percent_done": t.percent_done,
            "extensions": t.extensions, "parent_id": t.parent_id, "origin": t.origin}


def report_out(r):
    return {"id": r.pk, "kind": r.kind, "percent": r.percent, "text": r.text, "difficulties": r.difficulties,
            "proposals": r.proposals, "proposed_deadline": r.proposed_deadline, "stage": r.stage,
            "submitted_by": r.submitted_by.full_name or r.submitted_by.username, "submitted_at": r.submitted_at,
            "decision_note": r.decision_note}


def _visible(request, task_id):
    task = selectors.get_task(task_id)
    if not policy.can_view(request.user, task):
        raise Http404
    return task


@router.post("/tasks", response={201: list[TaskOut]}, summary="Assign a task (one per unit, or to a person)")
def assign(request, payload: TaskIn):
    data = payload.dict()
    data["deadline"] = resolve_deadline(deadline=data["deadline"], working_days=data.pop("working_days"),
                                        confirm_non_working_day=data.pop("confirm_non_working_day"),
                                        today=payload.start_date)
    if data["deadline"] is None:
        raise ValidationError({"deadline": _("Give a date or a number of working days.")})
    unit = get_unit(data.pop("unit_id"))
    data["co_handlers"] = [c for c in data["co_handlers"]]
    return 201, [task_out(t) for t in services.assign_task(actor=request.user, unit=unit, **data)]


@router.get("/tasks", response=TaskPage, summary="My task lists: open, due_soon, overdue, co_handling, "
                                                 "assigned_by_me, awaiting_my_approval")
def my_tasks(request, kind: str = "open", cursor: str | None = None, limit: int = Query(50, ge=1, le=200)):
    if kind not in selectors.LISTS:
        raise ValidationError({"kind": _("Must be one of: %(values)s.") % {"values": ", ".join(selectors.LISTS)}})
    page = selectors.task_page(request.user, kind, cursor=cursor, limit=limit)
    return {"items": [task_out(t) for t in page.items], "next_cursor": page.next_cursor}


@router.get("/tasks/counters", response=dict[str, int], summary="Counts of my task lists (capped)")
def counters(request):
    return selectors.counters(request.user)


@router.get("/tasks/tracker", response=list[dict], summary="Per executor: on time, late, open, overdue")
def tracker(request, unit_id: int, start: datetime.date, end: datetime.date):
    unit = get_unit(unit_id)
    if not can_track(request.user, unit):
        raise Http404
    return selectors.tracker(unit, start, end)


# Before /tasks/{task_id}: ninja matches paths in order and would take "recurrences" for a task id.
@router.post("/tasks/recurrences", response={201: dict}, summary="A task that repeats")
def recurrence(request, payload: RecurrenceIn):
    r = services.create_recurrence(actor=request.user, unit=get_unit(payload.unit_id), title=payload.title,
                                   description=payload.description, frequency=payload.frequency,
                                   first_run=payload.first_run, executing_unit=get_unit(payload.executing_unit_id),
                                   working_days=payload.working_days)
    return 201, {"id": r.pk, "next_run": r.next_run}


@router.get("/tasks/{task_id}", response=TaskOut, summary="One task")
def get_task(request, task_id: int):
    return task_out(_visible(request, task_id))


@router.get("/tasks/{task_id}/reports", response=list[ReportOut], summary="A task's reports")
def reports(request, task_id: int):
    return [report_out(r) for r in selectors.reports_of(_visible(request, task_id))]


@router.post("/tasks/{task_id}/subtasks", response={201: list[TaskOut]}, summary="Split a task")
def subtask(request, task_id: int, payload: SubtaskIn):
    tasks = services.create_subtask(actor=request.user, parent=_visible(request, task_id), **payload.dict())
    return 201, [task_out(t) for t in tasks]


@router.post("/tasks/{task_id}/reports", response={201: ReportOut}, summary="Report progress or propose")
def report(request, task_id: int, payload: ReportIn):
    data = payload.dict()
    data["files"] = [f for f in data["files"]]
    r = services.submit_report(actor=request.user, task=_visible(request, task_id), **data)
    return 201, report_out(r)


@router.post("/tasks/reports/{report_id}/decide", response=ReportOut, summary="Approve or refuse a report")
def decide(request, report_id: int, payload: ReportDecisionIn):
    r = get_object_or_404(Report.objects.select_related("task"), pk=report_id)
    _visible(request, r.task_id)
    r = services.decide_report(actor=request.user, report=r, approve=payload.approve, note=payload.note)
    return report_out(r)

