"""The rows behind every figure (issue 16): for each name of ``services.FIGURES`` the raw queryset it counts, with
the definitions of decision 0045 (the same as ``services.compute`` and the recount of the consistency test), over a
unit's subtree and a period, filtered by the one clearance and zone rule of the documents (``cleared_q``). A number
on the dashboard opens exactly this list, keyset-paginated, and the drill-down test checks they agree.

Also here: the periods a dashboard reads (this week, month, quarter, year, or dates), parsed once for the page and
the API, each bad field named."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dieuhanh.accounts.models import Role, User
from dieuhanh.accounts.policy import grants, is_system_admin
from dieuhanh.documents.models import ArrivalOrigin, Channel, Delivery, Document, DocumentStatus, IncomingEntry
from dieuhanh.documents.policy import cleared_q, visible_documents_q
from dieuhanh.kernel.pagination import Page, keyset_page
from dieuhanh.processing.models import OPEN_STATUSES as FLOW_OPEN
from dieuhanh.processing.models import Flow, FlowStatus
from dieuhanh.tasks import policy as task_policy
from dieuhanh.tasks.models import ENDED_STATUSES as TASK_ENDED
from dieuhanh.tasks.models import OPEN_STATUSES as TASK_OPEN
from dieuhanh.tasks.models import CoHandler, Task, TaskStatus
from dieuhanh.units.models import Unit

from . import periods, selectors, services
from .models import RefreshState
from .services import FIGURES

# --- Periods --------------------------------------------------------------------------------------------------------

PERIODS = ("week", "month", "quarter", "year", "dates")
PERIOD_LABELS = {"week": gettext_lazy("This week"), "month": gettext_lazy("This month"),
                 "quarter": gettext_lazy("This quarter"), "year": gettext_lazy("This year"),
                 "dates": gettext_lazy("From – to")}


def _month_end(day: datetime.date) -> datetime.date:
    following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def calendar_period(kind: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The calendar week (Monday to Sunday), month, quarter or year holding ``today``."""
    if kind == "week":
        start = today - datetime.timedelta(days=today.weekday())
        return start, start + datetime.timedelta(days=6)
    if kind == "quarter":
        start = today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)
        return start, _month_end(start.replace(month=start.month + 2))
    if kind == "year":
        return today.replace(month=1, day=1), today.replace(month=12, day=31)
    start = today.replace(day=1)
    return start, _month_end(start)


def read_period(period: str | None, start: str | None, end: str | None,
                today: datetime.date | None = None) -> tuple[str, datetime.date, datetime.date]:
    """(kind, first day, last day) from query text. No kind: dates when ``start`` or ``end`` is given, else this
    month. A ValidationError names each bad field (``period``, ``start``, ``end``)."""
    today = today or timezone.localdate()
    kind = (period or "").strip() or ("dates" if (start or end) else "month")
    if kind not in PERIODS:
        raise ValidationError({"period": _("Choose this week, month, quarter, year, or dates.")})
    if kind != "dates":
        return (kind, *calendar_period(kind, today))
    return (kind, *periods.dates(start, end))


# --- The rows behind each figure ------------------------------------------------------------------------------------

END = selectors.END


def as_of() -> datetime.date:
    """The day the stored figures call "today" (open within or past deadline): the last refresh's, so a list splits
    open work exactly as the number it opens."""
    day = RefreshState.objects.values_list("as_of", flat=True).first()
    return day or timezone.localdate()


def _in_subtree(prefix: str, unit: Unit) -> Q:
    return Q(**{f"{prefix}path__gte": unit.path, f"{prefix}path__lt": unit.path + END})


def _incoming(unit: Unit, start: datetime.date, end: datetime.date) -> QuerySet[IncomingEntry]:
    root = Flow.objects.filter(entry=OuterRef("pk"), parent__isnull=True)
    return (IncomingEntry.objects.filter(_in_subtree("unit__", unit), recalled_at__isnull=True,
                                         arrived_on__gte=start, arrived_on__lte=end)
            .annotate(r_status=Subquery(root.values("status")[:1]), r_deadline=Subquery(root.values("deadline")[:1]),
                      r_done=Subquery(root.annotate(d=TruncDate("completed_at")).values("d")[:1]))
            .select_related("document", "document__document_type", "unit"))


def _outgoing(unit: Unit, start: datetime.date, end: datetime.date) -> QuerySet[Document]:
    copies = Delivery.objects.filter(document=OuterRef("pk"))
    return (Document.objects.filter(_in_subtree("issuing_unit__", unit), status=DocumentStatus.ISSUED,
                                    issued_on__isnull=False, issued_on__gte=start, issued_on__lte=end)
            .annotate(sent=Exists(copies), paper=Exists(copies.filter(channel=Channel.PAPER)))
            .select_related("document_type", "issuing_unit"))


def _tasks(unit: Unit, start: datetime.date, end: datetime.date) -> QuerySet[Task]:
    return (Task.objects.filter(_in_subtree("executing_unit__", unit), start_date__gte=start, start_date__lte=end)
            .annotate(finished=Coalesce(TruncDate("completed_at"), TruncDate("status_at")))
            .select_related("executing_unit", "assigning_unit", "lead_user"))


@dataclass(frozen=True)
class Source:
    kind: str  # "entry", "document" or "task": which table the rows come from
    rows: Callable[[Unit, datetime.date, datetime.date], QuerySet]
    clearance_path: str | None  # the path to the document for cleared_q; None: no confidentiality (tasks)


ENTRIES = Source("entry", _incoming, "document__")
DOCUMENTS = Source("document", _outgoing, "")
TASKS = Source("task", _tasks, None)


def _figure_filters(today: datetime.date) -> dict[str, tuple[Source, Q]]:
    """figure -> (source, filter): the definitions of decision 0045, term by term as ``services.compute``."""
    done, is_open = Q(r_status=FlowStatus.COMPLETED), Q(r_status__in=FLOW_OPEN)
    ended, t_open = Q(status__in=TASK_ENDED), Q(status__in=TASK_OPEN)
    copies = Delivery.objects.filter(document=OuterRef("pk"))
    return {
        "in_exchanged": (ENTRIES, Q(delivery__channel=Channel.GATEWAY)),
        "out_exchanged": (DOCUMENTS, Q(Exists(copies.filter(channel=Channel.GATEWAY)))),
        "out_paper": (DOCUMENTS, Q(paper=True)),
        "out_signed": (DOCUMENTS, services.signed(OuterRef("pk"))),
        "tasks_extended": (TASKS, Q(extensions__gt=0)),
        "in_total": (ENTRIES, Q()),
        "in_electronic": (ENTRIES, Q(origin=ArrivalOrigin.ELECTRONIC)),
        "in_unassigned": (ENTRIES, Q(r_status__isnull=True)),
        "in_on_time": (ENTRIES, done & (Q(r_deadline__isnull=True) | Q(r_done__lte=F("r_deadline")))),
        "in_late": (ENTRIES, done & Q(r_done__gt=F("r_deadline"))),
        "in_open": (ENTRIES, is_open & (Q(r_deadline__isnull=True) | Q(r_deadline__gte=today))),
        "in_overdue": (ENTRIES, is_open & Q(r_deadline__lt=today)),
        "out_total": (DOCUMENTS, Q()),
        "out_electronic": (DOCUMENTS, Q(sent=True, paper=False)),
        "tasks_given": (TASKS, Q()),
        "tasks_on_time": (TASKS, ended & Q(finished__lte=F("deadline"))),
        "tasks_late": (TASKS, ended & Q(finished__gt=F("deadline"))),
        "tasks_open": (TASKS, t_open & Q(deadline__gte=today)),
        "tasks_overdue": (TASKS, t_open & Q(deadline__lt=today)),
    }


def listed_figures() -> list[str]:
    """The figures that have a list (every count; not the sums such as working days)."""
    names = _figure_filters(timezone.localdate())
    return [n for n in FIGURES if n in names]


def figure_rows(user: User, unit: Unit, figure: str, start: datetime.date, end: datetime.date,
                today: datetime.date | None = None) -> tuple[str, QuerySet]:
    """(kind, queryset) of the rows ``figure`` counts over ``unit``'s subtree in [start, end], as ``user`` may see
    them: PermissionDenied for a unit they may not read, ValidationError naming ``figure`` for an unknown one."""
    if not selectors.can_read(user, unit):
        raise PermissionDenied(_("You may not see this unit's figures."))
    filters = _figure_filters(today or as_of())
    if figure not in filters:
        raise ValidationError({"figure": _("No list for this figure.")})
    source, condition = filters[figure]
    qs = source.rows(unit, start, end).filter(condition)
    if source.clearance_path is not None:
        qs = qs.filter(cleared_q(user, source.clearance_path))
    return source.kind, qs


def figure_page(user: User, unit: Unit, figure: str, start: datetime.date, end: datetime.date,
                cursor: str | None = None, limit: Any = 50) -> tuple[str, Page]:
    """One keyset page of :func:`figure_rows`, newest first; each row carries ``readable``: whether the reader may
    open it (:func:`readable_ids`)."""
    kind, qs = figure_rows(user, unit, figure, start, end)
    page = keyset_page(qs, ["-id"], cursor=cursor, limit=limit)
    readable = readable_ids(user, kind, page.items)
    for row in page.items:
        row.readable = row.pk in readable
    return kind, page


def readable_ids(user: User, kind: str, rows: list[Any]) -> set[int]:
    """The rows of one page whose document or task the reader may open, in one query: a leader counts and lists
    the whole subtree (decision 0045), but a row of a unit below names its document (symbol, subject) or task
    (title) only when the document's rule (``visible_documents_q``) or the task's (``tasks.policy.can_view``)
    lets the reader open it; the others are listed without their names (decision 0048)."""
    if not rows:
        return set()
    if kind in ("entry", "document"):
        by_document = {(r.document_id if kind == "entry" else r.pk): r.pk for r in rows}
        seen = Document.objects.filter(visible_documents_q(user), pk__in=list(by_document))
        return {by_document[d] for d in seen.values_list("pk", flat=True)}
    if is_system_admin(user):
        return {r.pk for r in rows}
    held = grants(user)
    paths = {path for path, _role in held}
    directing = {path for path, role in held if role in task_policy.DIRECTORS | {Role.CLERK}}
    found = {t.pk for t in rows if user.pk in (t.assigned_by_id, t.lead_user_id) or t.executing_unit.path in paths
             or t.assigning_unit.path in directing}
    rest = [t.pk for t in rows if t.pk not in found]
    if rest:
        found.update(CoHandler.objects.filter(Q(user=user) | Q(unit__path__in=paths), task_id__in=rest)
                     .values_list("task_id", flat=True))
    return found


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def row_facts(kind: str, row: Any) -> dict[str, Any]:
    """What a list shows of one row, the same for the page and the API: date, symbol, title, unit, state, link.
    A row the reader may not open (``row.readable`` false) keeps its date, unit, state and deadline, not its
    symbol, title or link."""
    facts = _facts(kind, row)
    facts["readable"] = getattr(row, "readable", False)
    if not facts["readable"]:
        facts.update(symbol="", url=None, title=_("Not shown: you may not open this task.") if kind == "task"
                     else _("Not shown: you may not open this document."))
    return facts


def _facts(kind: str, row: Any) -> dict[str, Any]:
    if kind == "entry":
        state = row.r_status or ""
        return {"id": row.pk, "kind": kind, "date": row.arrived_on, "symbol": row.document.symbol or "",
                "title": row.document.subject, "unit": row.unit.name, "state": state,
                "state_label": _label(FlowStatus, state) if state else _("Not yet assigned"),
                "deadline": row.r_deadline, "url": reverse("processing:entry", args=[row.pk])}
    if kind == "document":
        return {"id": row.pk, "kind": kind, "date": row.issued_on, "symbol": row.symbol or "", "title": row.subject,
                "unit": row.issuing_unit.name if row.issuing_unit else "", "state": row.status,
                "state_label": _label(DocumentStatus, row.status), "deadline": None,
                "url": reverse("documents:detail", args=[row.pk])}
    return {"id": row.pk, "kind": kind, "date": row.start_date, "symbol": "", "title": row.title,
            "unit": row.executing_unit.name, "state": row.status, "state_label": _label(TaskStatus, row.status),
            "deadline": row.deadline, "url": reverse("tasks:detail", args=[row.pk])}
