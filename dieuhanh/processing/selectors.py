"""Reads for processing: per-flow inboxes and the counters on the home page, built from the same querysets
so a counter always equals the length of the list it opens."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from dieuhanh.documents.models import IncomingEntry
from dieuhanh.documents.policy import cleared_q
from dieuhanh.kernel.pagination import capped_count, keyset_page

from . import calendar, policy
from .models import OPEN_STATUSES, Flow, FlowRole, FlowStatus

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import date
    from typing import Any

    from django.db.models import QuerySet

    from dieuhanh.accounts.models import User
    from dieuhanh.kernel.pagination import Page
    from dieuhanh.units.models import Unit

LISTS = ("processing", "due_soon", "overdue", "info", "returned")


def get_flow(flow_id: int) -> Flow:
    return get_object_or_404(
        Flow.objects.select_related("entry__document__document_type", "entry__register", "unit", "handler_unit",
                                    "handler_user", "assigned_by", "parent"), pk=flow_id)


def _mine(user: User) -> Q:
    return Q(handler_user=user) | Q(handler_unit_id__in=policy.handled_unit_ids(user))


def flows_for(user: User, kind: str = "processing", today: date | None = None) -> QuerySet[Flow]:
    """The flows of one inbox: processing (lead and co-handling), due_soon, overdue, info, or returned. Only flows
    of documents the person's clearance and network zone allow (a flow names its document)."""
    today = today or timezone.localdate()
    qs = (Flow.objects.select_related("entry__document", "handler_unit", "handler_user", "assigned_by")
          .filter(cleared_q(user, "entry__document__")))
    if kind == "returned":
        return qs.filter(assigned_by=user, status=FlowStatus.RETURNED, parent__status__in=OPEN_STATUSES)
    qs = qs.filter(_mine(user), status__in=OPEN_STATUSES, depth__gt=0)
    if kind == "info":
        return qs.filter(role=FlowRole.INFO)
    qs = qs.exclude(role=FlowRole.INFO)
    if kind == "overdue":
        return qs.filter(deadline__lt=today)
    if kind == "due_soon":
        horizon = calendar.add_working_days(today, settings.DIEUHANH_DUE_SOON_DAYS)
        return qs.filter(deadline__gte=today, deadline__lte=horizon)
    return qs


def flow_page(user: User, kind: str = "processing", cursor: str | None = None, limit: int = 50) -> Page:
    return keyset_page(flows_for(user, kind), ["-urgency", "-id"], cursor=cursor, limit=limit)


def awaiting_assignment(unit: Unit, user: User) -> QuerySet[IncomingEntry]:
    """Registered documents of ``unit`` nobody has directed yet, that ``user`` is cleared for here."""
    has_root = Flow.objects.filter(entry=OuterRef("pk"), parent__isnull=True)
    return (IncomingEntry.objects.filter(unit=unit, recalled_at__isnull=True).filter(cleared_q(user, "document__"))
            .annotate(directed=Exists(has_root)).filter(directed=False)
            .select_related("document", "document__document_type"))


def awaiting_assignment_page(unit: Unit, user: User, cursor: str | None = None, limit: int = 50) -> Page:
    return keyset_page(awaiting_assignment(unit, user), ["-id"], cursor=cursor, limit=limit)


def counters(user: User) -> dict[str, int]:
    """{list name: count} for the home page; each count comes from the queryset its list shows."""
    return {kind: capped_count(flows_for(user, kind)) for kind in LISTS}


def tree(entry: IncomingEntry) -> list[Flow]:
    """Every flow of a registered document, parents before children (for the detail page)."""
    return list(Flow.objects.filter(entry=entry).select_related("handler_unit", "handler_user", "assigned_by")
                .order_by("depth", "id"))


# --- The unit tracker for leaders ---------------------------------------------------------------------------------

TRACKER_CELLS = ("completed_on_time", "completed_late", "open_on_time", "open_overdue")


def _cell_filters(today: date) -> dict[str, Q]:
    no_deadline = Q(deadline__isnull=True)
    return {
        "completed_on_time": Q(status=FlowStatus.COMPLETED) & (no_deadline | Q(completed_at__date__lte=F("deadline"))),
        "completed_late": Q(status=FlowStatus.COMPLETED, completed_at__date__gt=F("deadline")),
        "open_on_time": Q(status__in=OPEN_STATUSES) & (no_deadline | Q(deadline__gte=today)),
        "open_overdue": Q(status__in=OPEN_STATUSES, deadline__lt=today),
    }


def tracker_flows(unit: Unit, start: date, end: date, user: User) -> QuerySet[Flow]:
    """Lead and co-handling flows of documents received by ``unit`` (or its sub-units), directed in [start, end],
    of documents ``user`` is cleared for here (the cells count what their drill-down lists)."""
    return Flow.objects.filter(unit__path__startswith=unit.path, depth__gt=0, created_at__date__gte=start,
                               created_at__date__lte=end).filter(cleared_q(user, "entry__document__")).exclude(
        role=FlowRole.INFO)


def tracker(unit: Unit, start: date, end: date, user: User, today: date | None = None) -> list[dict[str, Any]]:
    """Per handler: completed on time / late, open on time / overdue — one aggregate query."""
    today = today or timezone.localdate()
    cells = _cell_filters(today)
    rows: Iterable[Mapping[str, Any]] = (tracker_flows(unit, start, end, user)
            .values("handler_user", "handler_user__full_name", "handler_unit", "handler_unit__name")
            .annotate(**{name: Count("id", filter=q) for name, q in cells.items()})
            .order_by("handler_unit__name", "handler_user__full_name"))
    return [{"handler_user_id": r["handler_user"], "handler_unit_id": r["handler_unit"],
             "handler": r["handler_user__full_name"] or r["handler_unit__name"],
             **{name: r[name] for name in TRACKER_CELLS}} for r in rows]


def tracker_items(unit: Unit, start: date, end: date, cell: Any, *, user: User, handler_user_id: int | None = None,
                  handler_unit_id: int | None = None, today: date | None = None) -> QuerySet[Flow]:
    """The flows behind one cell of the tracker (the drill-down)."""
    today = today or timezone.localdate()
    qs = tracker_flows(unit, start, end, user).filter(_cell_filters(today)[cell])
    if handler_user_id:
        qs = qs.filter(handler_user_id=handler_user_id)
    if handler_unit_id:
        qs = qs.filter(handler_unit_id=handler_unit_id)
    return qs.select_related("entry__document", "handler_user", "handler_unit").order_by("-id")
