"""Reads of reorganizations: decisions, the dry run (preview) and the traces left on moved items.

The preview is a fixed number of counting queries per old unit and successor, whatever the number of documents."""

import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from dieuhanh.accounts.models import Membership
from dieuhanh.documents import selectors as doc_selectors
from dieuhanh.documents.models import Delivery, Document, IncomingEntry, NumberSeries, Register
from dieuhanh.drafting.models import Draft, DraftStatus
from dieuhanh.kernel.pagination import Page, keyset_page
from dieuhanh.processing.models import ENDED_STATUSES as FLOW_ENDED
from dieuhanh.processing.models import OPEN_STATUSES as FLOW_OPEN
from dieuhanh.processing.models import Flow
from dieuhanh.records.models import FileItem, FileStatus, RecordFile
from dieuhanh.tasks.models import OPEN_STATUSES as TASK_OPEN
from dieuhanh.tasks.models import Task
from dieuhanh.units.models import Unit, UnitStatus

from .models import Decision, DecisionItem, DecisionStatus, ExecutionStep, ItemRule, ReassignmentTrace

DRAFT_ENDED = (DraftStatus.ISSUED, DraftStatus.CANCELLED)


def get_decision(decision_id: int) -> Decision:
    return Decision.objects.select_related("document", "created_by").get(pk=decision_id)


def decision_page(cursor: str | None = None, limit: int = 50) -> Page:
    return keyset_page(Decision.objects.select_related("document"), ["-id"], cursor, limit)


def collection(unit: Unit) -> QuerySet:
    """The documents of a unit's collection (phông): issued by it, registered in its registers, or in its files."""
    entries = IncomingEntry.objects.filter(register__unit=unit).values("document_id")
    items = FileItem.objects.filter(file__unit=unit).values("document_id")
    return Document.objects.filter(Q(issuing_unit=unit) | Q(pk__in=entries) | Q(pk__in=items))


# --- routing: which successor takes which item (read by the preview and by the execution) -------------------

def open_entries(unit: Unit) -> QuerySet:
    """Incoming-register rows of ``unit`` still being worked on (not recalled, their root flow not ended)."""
    ended_root = Flow.objects.filter(entry=OuterRef("pk"), parent__isnull=True, status__in=FLOW_ENDED)
    return IncomingEntry.objects.filter(unit=unit, recalled_at__isnull=True).exclude(Exists(ended_root))


def open_tasks(unit: Unit) -> QuerySet:
    """Open tasks ``unit`` executes or assigned."""
    return Task.objects.filter(Q(executing_unit=unit) | Q(assigning_unit=unit), status__in=TASK_OPEN)


def open_drafts(unit: Unit) -> QuerySet:
    """Drafts of ``unit`` neither issued nor cancelled."""
    return Draft.objects.filter(unit=unit).exclude(status__in=DRAFT_ENDED)


def pending_deliveries(unit: Unit) -> QuerySet:
    """The documents app's own receipt queue (arrived, kept before being accepted, recalls awaiting an answer),
    not a copy of its query that falls behind when the queue gains a status."""
    return doc_selectors.receipt_queue(unit)


def stray_flows(unit: Unit) -> QuerySet:
    """Open flows handled by the unit in other units' entries (its own entries move with their flows)."""
    return Flow.objects.filter(handler_unit=unit, status__in=FLOW_OPEN).exclude(entry__unit=unit)


def _subtree(dept: Unit) -> dict[str, str]:
    return {"path__gte": dept.path, "path__lt": dept.path + "~"}


def _rule_q(kind: str, item: DecisionItem) -> Q:
    """The items of ``kind`` (incoming, task, draft, delivery) that the rule of ``item`` claims."""
    if item.rule == ItemRule.ALL:
        return Q()
    if item.rule == ItemRule.DOCUMENTS:
        field = {"incoming": "document_id", "task": "origin_document_id", "draft": "document_id",
                 "delivery": "document_id"}[kind]
        return Q(**{f"{field}__in": item.document_ids})
    assert item.department is not None  # the rule left is DEPARTMENT, which names one
    sub = {f"unit__{k}": v for k, v in _subtree(item.department).items()}
    if kind == "incoming":
        handler = {f"handler_unit__{k}": v for k, v in _subtree(item.department).items()}
        return Q(Exists(Flow.objects.filter(entry=OuterRef("pk"), **handler)))
    if kind == "task":
        return Q(Exists(Membership.objects.active().filter(user=OuterRef("lead_user"), **sub)))
    if kind == "draft":
        return Q(**{f"drafting_unit__{k}": v for k, v in _subtree(item.department).items()})
    return Q(pk__in=[])


def _ordered(items: list[DecisionItem]) -> list[DecisionItem]:
    """Documents rules first, then departments, then the rule that takes the rest."""
    rank: dict[str, int] = {ItemRule.DOCUMENTS: 0, ItemRule.DEPARTMENT: 1, ItemRule.ALL: 2}
    return sorted(items, key=lambda i: (rank[i.rule], i.order, i.pk))


def routes(kind: str, base: QuerySet,
           items: list[DecisionItem]) -> tuple[list[tuple[DecisionItem, QuerySet]], QuerySet]:
    """``[(item, queryset)]`` partitioning ``base`` by the items' rules, and the queryset nobody claims."""
    out, claimed = [], None
    for item in _ordered(items):
        q = _rule_q(kind, item)
        mine = base.filter(q) if claimed is None else base.filter(q).exclude(claimed)
        out.append((item, mine))
        claimed = q if claimed is None else (claimed | q)
    rest = base.none() if claimed is None else base.exclude(claimed)
    if any(i.rule == ItemRule.ALL for i in items):
        rest = base.none()
    return out, rest


def primary(items: list[DecisionItem]) -> DecisionItem:
    """The successor of what no rule divides: memberships, stray flows (the ``all`` item, else the first)."""
    for item in items:
        if item.rule == ItemRule.ALL:
            return item
    return sorted(items, key=lambda i: (i.order, i.pk))[0]


def items_by_unit(decision: Decision) -> dict[int, list[DecisionItem]]:
    grouped: dict[int, list[DecisionItem]] = {}
    for item in decision.items.select_related("old_unit", "successor", "department").order_by("order", "id"):
        grouped.setdefault(item.old_unit_id, []).append(item)
    return grouped


def sub_unit_moves(decision: Decision, unit: Unit, items: list[DecisionItem],
                   old_ids: set[int] | None = None) -> list[tuple[Unit, Unit]]:
    """``[(child, new parent)]`` for the active sub-units of ``unit``: a department a split item names goes under
    that item's successor, the others under ``decision.sub_units_to`` or else the primary successor. Sub-units
    that are themselves old units of the decision stay: they end with it."""
    if old_ids is None:
        old_ids = set(decision.items.values_list("old_unit_id", flat=True))
    by_department = {i.department_id: i.successor for i in items if i.rule == ItemRule.DEPARTMENT}
    default = decision.sub_units_to or primary(items).successor
    children = Unit.objects.filter(parent=unit, status=UnitStatus.ACTIVE).exclude(pk__in=old_ids)
    return [(child, by_department.get(child.pk, default)) for child in children.order_by("sort_key", "id")]


def sub_unit_problem(unit: Unit, destination: Unit) -> str | None:
    """Why sub-units of ``unit`` cannot go under ``destination``, or None."""
    if destination.path.startswith(unit.path):
        return _("%(unit)s is %(old)s or one of its sub-units: its sub-units cannot go under it.") % {
            "unit": destination.name, "old": unit.name}
    if destination.status != UnitStatus.ACTIVE:
        return _("%(unit)s is not active.") % {"unit": destination.name}
    return None


def _unrouted_message(kind: str) -> str:
    """What the dry run says of open work of ``kind`` that no rule routes (with %(n)s and %(unit)s)."""
    return {
        "incoming": _("%(n)s open incoming document(s) of %(unit)s match no rule and have no successor: add a rule "
                      "or an item that takes the rest."),
        "tasks": _("%(n)s open task(s) of %(unit)s match no rule and have no successor: add a rule or an item that "
                   "takes the rest."),
        "drafts": _("%(n)s open draft(s) of %(unit)s match no rule and have no successor: add a rule or an item "
                    "that takes the rest."),
        "deliveries": _("%(n)s pending delivery(ies) of %(unit)s match no rule and have no successor: add a rule or "
                        "an item that takes the rest."),
    }[kind]


def _problem(code: str, message: str, count: int = 0, blocking: bool = False, unit: Unit | None = None) -> dict:
    return {"code": code, "message": message, "count": count, "blocking": blocking,
            "unit_id": unit.pk if unit else None}


def preview(decision: Decision, today: datetime.date | None = None) -> dict:
    """Everything the execution will move, per old unit and per successor, with the problems found."""
    problems = []
    units = []
    grouped = items_by_unit(decision)
    for _unit_id, items in grouped.items():
        unit = items[0].old_unit
        if unit.status != UnitStatus.ACTIVE and decision.status == DecisionStatus.RECORDED:
            problems.append(_problem("unit_not_active", _("%(unit)s is %(status)s.") % {
                "unit": unit.name, "status": unit.get_status_display().lower()}, blocking=True, unit=unit))
        successors: dict[int, dict[str, Any]] = {}
        unrouted: dict[str, int] = {}
        for kind, rule_kind, base in (
                ("incoming", "incoming", open_entries(unit)), ("tasks", "task", open_tasks(unit)),
                ("drafts", "draft", open_drafts(unit)),
                ("deliveries", "delivery", pending_deliveries(unit))):
            found, rest = routes(rule_kind, base, items)
            for item, qs in found:
                row = successors.setdefault(item.successor_id, {"successor_id": item.successor_id,
                                                                "successor": item.successor.name})
                row[kind] = row.get(kind, 0) + qs.count()
                if kind == "incoming":
                    row["flows"] = row.get("flows", 0) + Flow.objects.filter(
                        entry__in=qs.values("pk"), status__in=FLOW_OPEN).count()
                if kind == "deliveries":
                    n = qs.filter(Exists(Delivery.objects.filter(
                        document_id=OuterRef("document_id"), recipient_unit=item.successor,
                        channel=OuterRef("channel")))).count()
                    if n:
                        problems.append(_problem(
                            "delivery_already_at_successor",
                            _("%(n)s document(s) sent to %(unit)s already reached %(successor)s: those copies "
                              "will be withdrawn, not redirected.") % {
                                "n": n, "unit": unit.name, "successor": item.successor.name}, n, unit=unit))
            unrouted[kind] = rest.count()
        prim = primary(items).successor
        stray = stray_flows(unit).count()
        if stray:
            successors.setdefault(prim.pk, {"successor_id": prim.pk, "successor": prim.name})
            successors[prim.pk]["flows"] = successors[prim.pk].get("flows", 0) + stray
        members = Membership.objects.active().filter(unit=unit)
        files = RecordFile.objects.filter(unit=unit)
        counts = {
            "documents": collection(unit).count(),
            "incoming_open": sum(s.get("incoming", 0) for s in successors.values()) + unrouted["incoming"],
            "flows_open": sum(s.get("flows", 0) for s in successors.values()),
            "tasks_open": sum(s.get("tasks", 0) for s in successors.values()) + unrouted["tasks"],
            "drafts_open": sum(s.get("drafts", 0) for s in successors.values()) + unrouted["drafts"],
            "deliveries_pending": sum(s.get("deliveries", 0) for s in successors.values()) + unrouted["deliveries"],
            "record_files_open": files.filter(status=FileStatus.OPEN).count(),
            "record_files_closed": files.exclude(status=FileStatus.OPEN).count(),
            "registers_open": Register.objects.filter(unit=unit, closed_at__isnull=True).count(),
            "series_active": NumberSeries.objects.filter(unit=unit, active=True).count(),
            "memberships_active": members.count(),
            "users": members.values("user_id").distinct().count(),
            "sub_units": unit.children.filter(status=UnitStatus.ACTIVE).count(),
        }
        for kind, n in unrouted.items():
            if n:
                problems.append(_problem("no_successor", _unrouted_message(kind) % {"n": n, "unit": unit.name}, n,
                                         blocking=True, unit=unit))
        if not any(i.rule == ItemRule.ALL for i in items):
            claimed = Q(pk__in=[d for i in items for d in i.document_ids])
            for i in items:
                if i.rule == ItemRule.DEPARTMENT:
                    assert i.department is not None  # a department rule names one
                    claimed |= Q(drafting_unit__path__gte=i.department.path,
                                 drafting_unit__path__lt=i.department.path + "~")
            n = collection(unit).exclude(claimed).count()
            if n:
                problems.append(_problem("documents_without_successor",
                                         _("%(n)s document(s) of %(unit)s match no rule: no successor takes them "
                                           "over; the collection goes whole to the first successor.") % {
                                             "n": n, "unit": unit.name}, n, unit=unit))
        frozen = (open_entries(unit).filter(document__freeze__isnull=False).count()
                  + pending_deliveries(unit).filter(document__freeze__isnull=False).count())
        if frozen:
            problems.append(_problem("frozen", _("%(n)s open incoming document(s) or delivery(ies) of %(unit)s "
                                                 "are frozen: lift the freeze before the work is moved.") % {
                                         "n": frozen, "unit": unit.name}, frozen, blocking=True, unit=unit))
        if counts["record_files_open"]:
            problems.append(_problem("open_record_files", _("%(n)s record file(s) of %(unit)s are still open: "
                                                            "they are handed over as they are.") % {
                                         "n": counts["record_files_open"], "unit": unit.name},
                                     counts["record_files_open"], unit=unit))
        moves = []
        if decision.status != DecisionStatus.EXECUTED:
            moves = sub_unit_moves(decision, unit, items, old_ids=set(grouped))
            for destination in {d.pk: d for _c, d in moves}.values():
                why = sub_unit_problem(unit, destination)
                if why:
                    problems.append(_problem("sub_units_nowhere", why, sum(d == destination for _c, d in moves),
                                             blocking=True, unit=unit))
        units.append({"old_unit_id": unit.pk, "old_unit": unit.name, "counts": counts,
                      "successors": list(successors.values()),
                      "sub_units": [{"unit_id": c.pk, "unit": c.name, "to_id": d.pk, "to": d.name} for c, d in moves]})
    if today is not None and today < decision.effective_on:
        problems.append(_problem("not_yet_effective", _("The decision takes effect on %(date)s: it cannot be "
                                                         "executed before.") % {
                                     "date": f"{decision.effective_on:%d/%m/%Y}"}))
    done = list(ExecutionStep.objects.filter(decision=decision).values_list("old_unit_id", "name"))
    return {"decision_id": decision.pk, "status": decision.status, "units": units, "problems": problems,
            "steps_done": [{"old_unit_id": u, "step": n} for u, n in done]}


def traces_for(object_type: str, object_id: int) -> list[ReassignmentTrace]:
    return list(ReassignmentTrace.objects.filter(object_type=object_type, object_id=object_id)
                .select_related("old_unit", "new_unit").order_by("id"))


def trace_page(decision: Decision, cursor: str | None = None, limit: int = 50,
               object_type: str | None = None) -> Page:
    qs = ReassignmentTrace.objects.filter(decision=decision).select_related("old_unit", "new_unit")
    if object_type:
        qs = qs.filter(object_type=object_type)
    return keyset_page(qs, ["id"], cursor, limit)
