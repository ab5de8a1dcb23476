"""Reads for tasks: the lists behind the home counters (same querysets), a task's detail, the unit tracker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, F, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dieuhanh.accounts.models import User
from dieuhanh.accounts.policy import unit_ids_with_roles
from dieuhanh.kernel.pagination import capped_count, keyset_page
from dieuhanh.processing import calendar
from dieuhanh.units.models import Unit

from . import policy
from .models import OPEN_STATUSES, CoHandler, Report, Stage, Task, TaskStatus

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import date
    from typing import Any

    from django.db.models import QuerySet

    from dieuhanh.kernel.pagination import Page

LISTS = ("open", "due_soon", "overdue", "co_handling", "assigned_by_me", "awaiting_my_approval")
LABELS = {"open": _("My tasks"), "due_soon": _("Tasks due soon"), "overdue": _("Overdue tasks"),
          "co_handling": _("Tasks I co-handle"),
          "assigned_by_me": _("Tasks I assigned"), "awaiting_my_approval": _("Reports awaiting my approval")}


def _mine(user: User) -> Q:
    """Tasks the user executes: given to them in person, or to a unit they work in (not given to someone else)."""
    return Q(lead_user=user) | Q(lead_user__isnull=True,
                                 executing_unit_id__in=unit_ids_with_roles(user, policy.EXECUTORS))


def _co_handled(user: User) -> Q:
    """Tasks the user helps with: named as a co-handler in person, or for a unit they work in (issue 14, item 15).
    One subquery, so the list and its counter stay a single query."""
    rows = CoHandler.objects.filter(Q(user=user) | Q(unit_id__in=unit_ids_with_roles(user, policy.EXECUTORS)))
    return Q(pk__in=rows.values("task_id"))


def tasks_for(user: User, kind: str = "open", today: date | None = None) -> QuerySet[Task]:
    today = today or timezone.localdate()
    qs = Task.objects.select_related("executing_unit", "assigning_unit", "lead_user", "assigned_by")
    if kind == "assigned_by_me":
        return qs.filter(assigned_by=user, status__in=OPEN_STATUSES)
    if kind == "awaiting_my_approval":
        unit_stage = Q(reports__stage=Stage.AWAITING_UNIT_LEADER,
                       executing_unit_id__in=unit_ids_with_roles(user, policy.DIRECTORS))
        assigner_stage = Q(reports__stage=Stage.AWAITING_ASSIGNER) & (
            Q(assigned_by=user) | Q(assigning_unit_id__in=unit_ids_with_roles(user, policy.DIRECTORS)))
        return qs.filter(unit_stage | assigner_stage).distinct()
    if kind == "co_handling":
        # what the user already executes is under "open": not listed twice
        return qs.filter(_co_handled(user), status__in=OPEN_STATUSES).exclude(_mine(user))
    qs = qs.filter(_mine(user), status__in=OPEN_STATUSES)
    if kind == "overdue":
        return qs.filter(deadline__lt=today)
    if kind == "due_soon":
        return qs.filter(deadline__gte=today,
                         deadline__lte=calendar.add_working_days(today, settings.DIEUHANH_DUE_SOON_DAYS))
    return qs


def task_page(user: User, kind: str = "open", cursor: str | None = None, limit: int = 50) -> Page:
    return keyset_page(tasks_for(user, kind), ["deadline", "id"], cursor=cursor, limit=limit)


def counters(user: User) -> dict[str, int]:
    return {kind: capped_count(tasks_for(user, kind)) for kind in LISTS}


def get_task(task_id: int) -> Task:
    return get_object_or_404(Task.objects.select_related("executing_unit", "assigning_unit", "lead_user",
                                                         "assigned_by", "parent", "origin_document"), pk=task_id)


def reports_of(task: Task) -> QuerySet[Report]:
    return Report.objects.filter(task=task).select_related("submitted_by", "unit_decided_by",
                                                           "assigner_decided_by").prefetch_related("files")


def pending_report(task: Task) -> Report | None:
    return task.reports.filter(stage__in=[Stage.AWAITING_UNIT_LEADER, Stage.AWAITING_ASSIGNER]).first()


TRACKER_CELLS = ("completed_on_time", "completed_late", "open_on_time", "open_overdue")


def _cells(today: date) -> dict[str, Q]:
    done = Q(status__in=[TaskStatus.COMPLETED, TaskStatus.CLOSED])
    return {
        "completed_on_time": done & Q(completed_at__date__lte=F("deadline")) | Q(status=TaskStatus.CLOSED,
                                                                                 completed_at__isnull=True),
        "completed_late": done & Q(completed_at__date__gt=F("deadline")),
        "open_on_time": Q(status__in=OPEN_STATUSES, deadline__gte=today),
        "open_overdue": Q(status__in=OPEN_STATUSES, deadline__lt=today),
    }


def tracker(unit: Unit, start: date, end: date, today: date | None = None) -> list[dict[str, Any]]:
    """Per executor (person or unit), tasks assigned by ``unit`` or its sub-units with deadlines in the range."""
    today = today or timezone.localdate()
    rows: Iterable[Mapping[str, Any]] = (
        Task.objects.filter(assigning_unit__path__startswith=unit.path, deadline__gte=start, deadline__lte=end)
        .values("lead_user", "lead_user__full_name", "executing_unit", "executing_unit__name")
        .annotate(**{name: Count("id", filter=q) for name, q in _cells(today).items()})
        .order_by("executing_unit__name", "lead_user__full_name"))
    return [{"lead_user_id": r["lead_user"], "executing_unit_id": r["executing_unit"],
             "executor": r["lead_user__full_name"] or r["executing_unit__name"],
             **{c: r[c] for c in TRACKER_CELLS}} for r in rows]


def tracker_items(unit: Unit, start: date, end: date, cell: Any, *, lead_user_id: int | None = None,
                  executing_unit_id: int | None = None, today: date | None = None) -> QuerySet[Task]:
    today = today or timezone.localdate()
    qs = Task.objects.filter(assigning_unit__path__startswith=unit.path, deadline__gte=start, deadline__lte=end)
    qs = qs.filter(_cells(today)[cell])
    if lead_user_id:
        qs = qs.filter(lead_user_id=lead_user_id)
    elif executing_unit_id:
        qs = qs.filter(executing_unit_id=executing_unit_id, lead_user__isnull=True)
    return qs.select_related("executing_unit", "lead_user").order_by("deadline", "id")
