"""Writes of a reorganization: recording a decision and executing it step by step (decision 0022).

Execution runs in named steps per old unit. Each step is one transaction: it moves what is still attached to the
old unit, writes a ``ReassignmentTrace`` per moved item, marks itself done (``ExecutionStep``) and appends its audit
event. An interrupted execution rolls back only the step it was in; running it again skips the steps already done
and redoes that one, so nothing is moved or traced twice.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from dieuhanh.accounts import services as account_services
from dieuhanh.accounts.models import Membership, User
from dieuhanh.accounts.policy import forget, require
from dieuhanh.audit.services import record
from dieuhanh.documents import services as doc_services
from dieuhanh.documents.models import Delivery, Document, IncomingEntry
from dieuhanh.drafting import services as draft_services
from dieuhanh.drafting.models import Draft
from dieuhanh.kernel.text import nfc
from dieuhanh.notifications.services import notify_unit
from dieuhanh.processing import services as flow_services
from dieuhanh.processing.models import OPEN_STATUSES as FLOW_OPEN
from dieuhanh.processing.models import Flow
from dieuhanh.search import services as search_services
from dieuhanh.tasks import services as task_services
from dieuhanh.tasks.models import Task
from dieuhanh.units import services as unit_services
from dieuhanh.units.models import Unit, UnitStatus

from . import policy, selectors
from .models import (
    Decision,
    DecisionItem,
    DecisionKind,
    DecisionStatus,
    ExecutionStep,
    ItemRule,
    MemberPolicy,
    ReassignmentTrace,
)
from .selectors import (
    items_by_unit,
    open_drafts,
    open_entries,
    open_tasks,
    pending_deliveries,
    primary,
    routes,
    stray_flows,
    sub_unit_moves,
)

if TYPE_CHECKING:
    from typing import Any

CHUNK = 5000
STEPS = ("freeze", "incoming", "flows", "tasks", "drafts", "deliveries", "subunits", "successor", "memberships",
         "status")


# --- recording a decision --------------------------------------------------------------------------------------

def _date(value: Any, errors: dict[str, Any], field: str) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        errors[field] = _("Enter a date as YYYY-MM-DD.")
        return None


def _int_list(value: Any, errors: dict[str, Any], field: str) -> list[int]:
    if not isinstance(value, list | tuple) or not value:
        errors[field] = _("Give at least one document.")
        return []
    out = []
    for v in value:
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            errors[field] = _("Not a document number: %(value)s.") % {"value": repr(v)}
            return []
        out.append(v)
    if len(set(out)) != len(out):
        errors[field] = _("A document is listed twice.")
    return out


def _unknown_unit(value: Any) -> str:
    return _("Unknown unit %(value)s.") % {"value": repr(value)}


def _pending_edges(exclude_id: int | None = None) -> list[tuple[int, int, int, str]]:
    """old unit -> successor of every decision recorded and not yet executed."""
    qs = DecisionItem.objects.filter(decision__status__in=(DecisionStatus.RECORDED, DecisionStatus.EXECUTING))
    if exclude_id:
        qs = qs.exclude(decision_id=exclude_id)
    return list(qs.values_list("old_unit_id", "successor_id", "decision_id", "rule"))


def _find_cycle(edges: list[tuple[int, int]]) -> list[int] | None:
    """A cycle in the graph old -> successor, as a list of unit ids, or None."""
    graph: dict[int, set[int]] = {}
    for old, new in edges:
        graph.setdefault(old, set()).add(new)
    state: dict[int, int] = {}

    def visit(node: int, path: list[int]) -> list[int] | None:
        state[node] = 1
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt, path + [nxt])
                if found:
                    return found
        state[node] = 2
        return None

    for start in list(graph):
        if start not in state:
            found = visit(start, [start])
            if found:
                return found
    return None


def _clean_items(kind: str, items: list[dict[str, Any]], new_unit: Any, errors: dict[str, Any]) -> list[dict[str, Any]]:
    """Validate the items; return dicts with Unit objects. Errors are keyed ``items.<i>.<field>``."""
    if not isinstance(items, list | tuple) or not items:
        errors["items"] = _("Give at least one old unit and its successor.")
        return []
    ids = set()
    for item in items:
        for key in ("old_unit_id", "successor_id", "department_id"):
            if isinstance(item, dict) and isinstance(item.get(key), int) and not isinstance(item.get(key), bool):
                ids.add(item[key])
    units = Unit.objects.in_bulk(ids)
    cleaned = []
    for i, item in enumerate(items):
        f = f"items.{i}."
        if not isinstance(item, dict):
            errors[f"items.{i}"] = _("Each item is an object.")
            continue
        old = units.get(item.get("old_unit_id"))
        if old is None:
            errors[f + "old_unit_id"] = _unknown_unit(item.get("old_unit_id"))
        elif old.status != UnitStatus.ACTIVE:
            errors[f + "old_unit_id"] = _("%(unit)s is already %(status)s.") % {
                "unit": old.name, "status": old.get_status_display().lower()}
        if item.get("successor_id") is None and new_unit is not None:
            successor = new_unit
        else:
            successor = units.get(item.get("successor_id"))
            if successor is None:
                errors[f + "successor_id"] = _unknown_unit(item.get("successor_id"))
            elif successor.status != UnitStatus.ACTIVE:
                errors[f + "successor_id"] = _("%(unit)s is %(status)s: choose an active successor.") % {
                    "unit": successor.name, "status": successor.get_status_display().lower()}
        rule = item.get("rule") or ItemRule.ALL
        department, document_ids = None, []
        if rule not in ItemRule.values:
            errors[f + "rule"] = _("Must be one of: %(values)s.") % {"values": ", ".join(ItemRule.values)}
        elif rule != ItemRule.ALL and kind != DecisionKind.SPLIT:
            errors[f + "rule"] = _("Only a split divides a unit by department or by documents.")
        elif rule == ItemRule.DEPARTMENT:
            department = units.get(item.get("department_id"))
            if department is None:
                errors[f + "department_id"] = _unknown_unit(item.get("department_id"))
            elif old is not None and not department.is_descendant_of(old):
                errors[f + "department_id"] = _("%(unit)s is not a sub-unit of %(old)s.") % {
                    "unit": department.name, "old": old.name}
        elif rule == ItemRule.DOCUMENTS:
            document_ids = _int_list(item.get("document_ids"), errors, f + "document_ids")
        cleaned.append({"old": old, "successor": successor, "rule": rule, "department": department,
                        "document_ids": document_ids, "index": i})
    return cleaned


def _check_items(kind: str, cleaned: list[dict[str, Any]], errors: dict[str, Any]) -> None:
    if errors:
        return
    olds = {c["old"].pk for c in cleaned}
    successors = {c["successor"].pk for c in cleaned}
    for c in cleaned:
        if c["old"].pk == c["successor"].pk:
            errors[f"items.{c['index']}.successor_id"] = _("%(unit)s cannot succeed itself.") % {
                "unit": c["old"].name}
    if kind == DecisionKind.MERGE:
        if len(successors) != 1:
            errors["items"] = _("A merger has one successor: every item names the same successor.")
    elif kind == DecisionKind.DISSOLVE:
        if len(cleaned) != 1:
            errors["items"] = _("A dissolution names one unit and its successor.")
    elif kind == DecisionKind.SPLIT:
        if len(olds) != 1:
            errors["items"] = _("A split divides one unit: every item names the same old unit.")
        elif len(successors) < 2:
            errors["items"] = _("A split names at least two successors.")
    # two successors for the same thing
    seen_all: dict[int, tuple[int, str]] = {}
    seen_dept: dict[int, str] = {}
    seen_doc: dict[int, tuple[int, str]] = {}
    for c in cleaned:
        f = f"items.{c['index']}."
        if c["rule"] == ItemRule.ALL:
            if c["old"].pk in seen_all:
                errors[f + "old_unit_id"] = _("%(unit)s already goes to %(successor)s: two successors.") % {
                    "unit": c["old"].name, "successor": seen_all[c["old"].pk][1]}
            seen_all[c["old"].pk] = (c["index"], c["successor"].name)
        elif c["rule"] == ItemRule.DEPARTMENT:
            if c["department"].pk in seen_dept:
                errors[f + "department_id"] = _("%(unit)s already goes to %(successor)s: two successors.") % {
                    "unit": c["department"].name, "successor": seen_dept[c["department"].pk]}
            seen_dept[c["department"].pk] = c["successor"].name
        else:
            twice = [d for d in c["document_ids"] if d in seen_doc]
            if twice:
                errors[f + "document_ids"] = _("Document %(id)s already goes to %(successor)s: two successors.") % {
                    "id": twice[0], "successor": seen_doc[twice[0]][1]}
            for d in c["document_ids"]:
                seen_doc.setdefault(d, (c["index"], c["successor"].name))
    if seen_doc and not errors:
        known = set(Document.objects.filter(pk__in=list(seen_doc)).values_list("pk", flat=True))
        unknown = sorted(set(seen_doc) - known)
        if unknown:
            errors[f"items.{seen_doc[unknown[0]][0]}.document_ids"] = _("Unknown document %(id)s.") % {
                "id": unknown[0]}


def _check_against_pending(cleaned: list[dict[str, Any]], errors: dict[str, Any]) -> None:
    if errors:
        return
    pending = _pending_edges()
    mine = {c["old"].pk for c in cleaned}
    for old_id, _succ, decision_id, _rule in pending:
        if old_id in mine:
            c = next(c for c in cleaned if c["old"].pk == old_id)
            errors[f"items.{c['index']}.old_unit_id"] = _(
                "%(unit)s is already reorganized by decision no. %(decision)s: two successors.") % {
                "unit": c["old"].name, "decision": decision_id}
            return
    cycle = _find_cycle([(c["old"].pk, c["successor"].pk) for c in cleaned] + [(o, s) for o, s, _d, _r in pending])
    if cycle:
        names = Unit.objects.in_bulk(cycle)
        errors["items"] = _("A cycle: %(chain)s.") % {"chain": " → ".join(names[u].name for u in cycle)}


def _check_dates(effective_on: Any, cleaned: list[dict[str, Any]], errors: dict[str, Any]) -> None:
    if effective_on is None or errors:
        return
    for c in cleaned:
        for unit in (c["old"], c["successor"]):
            if unit.pk and effective_on < unit.effective_from:
                errors["effective_on"] = _("%(date)s is before %(unit)s existed (from %(since)s).") % {
                    "date": f"{effective_on:%d/%m/%Y}", "unit": unit.name, "since": f"{unit.effective_from:%d/%m/%Y}"}
                return


def _check_sub_units(cleaned: list[dict[str, Any]], sub_units_to: Any, errors: dict[str, Any]) -> None:
    """Sub-units of an old unit must land outside it: under a unit that is not the old unit or below it."""
    if errors:
        return
    olds = {c["old"].pk: c["old"] for c in cleaned}
    if sub_units_to is not None:
        if sub_units_to.status != UnitStatus.ACTIVE:
            errors["sub_units_to_id"] = _("%(unit)s is not active.") % {"unit": sub_units_to.name}
        for old in olds.values():
            if sub_units_to.path.startswith(old.path):
                errors["sub_units_to_id"] = _("%(unit)s is %(old)s or one of its sub-units: its sub-units cannot "
                                              "go under it.") % {"unit": sub_units_to.name, "old": old.name}
        return
    with_children = set(Unit.objects.filter(parent_id__in=list(olds), status=UnitStatus.ACTIVE)
                        .exclude(pk__in=list(olds)).values_list("parent_id", flat=True))
    for c in cleaned:
        if c["old"].pk in with_children and c["rule"] == ItemRule.ALL and c["successor"].pk \
                and c["successor"].path.startswith(c["old"].path):
            errors[f"items.{c['index']}.successor_id"] = _(
                "%(unit)s is a sub-unit of %(old)s: say where the sub-units of %(old)s go.") % {
                "unit": c["successor"].name, "old": c["old"].name}


@transaction.atomic
def record_decision(*, actor: User, kind: str, effective_on: datetime.date | str | None, items: list[dict],
                    document_id: int | None = None, members: str = MemberPolicy.MOVE, note: str = "",
                    new_successor: dict | None = None, document_ref: str = "",
                    sub_units_to_id: int | None = None) -> Decision:
    """Record a reorganization decision. ``items``: ``[{old_unit_id, successor_id, rule, department_id,
    document_ids}]``; a merger into a new unit passes ``new_successor`` (the fields of ``create_unit`` plus
    ``parent_id``) and leaves ``successor_id`` out. ``document_ref``: the decision's number and symbol as written;
    ``sub_units_to_id``: where the old units' sub-units go (default: under each one's successor)."""
    require(policy.can_reorganize(actor), _("Only a system administrator records reorganizations."))
    errors = {}
    if kind not in DecisionKind.values:
        errors["kind"] = _("Must be one of: %(values)s.") % {"values": ", ".join(DecisionKind.values)}
    effective_on = _date(effective_on, errors, "effective_on")
    if members not in MemberPolicy.values:
        errors["members"] = _("Must be one of: %(values)s.") % {"values": ", ".join(MemberPolicy.values)}
    document = None
    if document_id is not None:
        document = Document.objects.filter(pk=document_id).first()
        if document is None:
            errors["document_id"] = _("Unknown document %(id)s.") % {"id": repr(document_id)}
    document_ref = nfc(document_ref or "")
    if len(document_ref) > 100:
        errors["document_ref"] = _("At most %(n)s characters.") % {"n": 100}
    if not document_ref and document is not None:
        document_ref = document.symbol or ""
    sub_units_to = None
    if sub_units_to_id is not None:
        sub_units_to = Unit.objects.filter(pk=sub_units_to_id).first()
        if sub_units_to is None:
            errors["sub_units_to_id"] = _unknown_unit(sub_units_to_id)
    if new_successor is not None and kind != DecisionKind.MERGE:
        errors["new_successor"] = _("Only a merger creates its successor.")
    if errors or effective_on is None:
        raise ValidationError(errors)
    new_unit = None
    if new_successor is not None:
        data = dict(new_successor)
        parent = Unit.objects.filter(pk=data.pop("parent_id", None)).first() if data.get("parent_id") else None
        data.pop("parent_id", None)
        try:
            new_unit = unit_services.create_unit(actor=actor, parent=parent, effective_from=effective_on, **data)
        except ValidationError as exc:
            raise ValidationError({f"new_successor.{k}": v for k, v in exc.message_dict.items()}) from exc
    cleaned = _clean_items(kind, items, new_unit, errors)
    _check_items(kind, cleaned, errors)
    _check_against_pending(cleaned, errors)
    _check_dates(effective_on, cleaned, errors)
    _check_sub_units(cleaned, sub_units_to, errors)
    if errors:
        raise ValidationError(errors)
    decision = Decision.objects.create(kind=kind, effective_on=effective_on, document=document, members=members,
                                       note=nfc(note or "")[:5000], created_by=actor, document_ref=document_ref,
                                       sub_units_to=sub_units_to)
    DecisionItem.objects.bulk_create([
        DecisionItem(decision=decision, old_unit=c["old"], successor=c["successor"], rule=c["rule"],
                     department=c["department"], document_ids=c["document_ids"], order=c["index"])
        for c in cleaned])
    for unit in {c["old"].pk: c["old"] for c in cleaned}.values():
        record(actor=actor, action="reorg.decision.record", obj=decision, unit=unit,
               data={"kind": kind, "effective_on": effective_on.isoformat(), "document": document_id,
                     "document_ref": document_ref, "sub_units_to": sub_units_to_id,
                     "items": [{"old": c["old"].pk, "successor": c["successor"].pk, "rule": c["rule"]}
                               for c in cleaned]})
    return decision


# --- execution -------------------------------------------------------------------------------------------------
# Every write to another app's table goes through a set-based service of that app (decision 0040); reorg writes
# only its own rows: the traces, the steps' progress and the decision.

def _trace(decision: Decision, model: type[Model], ids: list[int], field: str, old: Unit, new: Unit,
           at: datetime.datetime) -> None:
    label = model._meta.label_lower
    ReassignmentTrace.objects.bulk_create(
        [ReassignmentTrace(decision=decision, object_type=label, object_id=i, field=field, old_unit=old,
                           new_unit=new, at=at) for i in ids],
        batch_size=2000, ignore_conflicts=True)


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


# The owning app's service that points a unit-valued field of its rows from one unit to another.
Reassign = Callable[[list[int], str, Unit, Unit], int]
REASSIGN: dict[type[Model], Reassign] = {
    Flow: lambda ids, field, old, new: flow_services.reassign_unit(flow_ids=ids, field=field, source=old, target=new),
    Task: lambda ids, field, old, new: task_services.reassign_unit(task_ids=ids, field=field, source=old, target=new),
    Draft: lambda ids, field, old, new: draft_services.reassign_unit(draft_ids=ids, field=field, source=old,
                                                                      target=new),
}


def _move(decision: Decision, model: type[Model], qs: QuerySet, field: str, old: Unit, new: Unit,
          at: datetime.datetime) -> int:
    """Point ``field`` of every row of ``qs`` from ``old`` to ``new`` through the owning app, tracing each row.
    Returns the count."""
    ids = list(qs.filter(**{field: old}).values_list("pk", flat=True))
    for chunk in _chunks(ids):
        _trace(decision, model, chunk, field, old, new, at)
        REASSIGN[model](chunk, field, old, new)
    return len(ids)


# A step: (decision, old unit, its items, actor, time, documents whose search rows to refresh) -> counts. The
# search rows are refreshed only where the readers change beyond what the successor's people already read through
# the old unit's tokens (decision 0025): work routed to a successor other than the primary one.
Step = Callable[[Decision, Unit, list[DecisionItem], User | None, datetime.datetime, set[int]], dict]


def _step_freeze(decision: Decision, unit: Unit, items: list[DecisionItem], actor: User | None,
                 at: datetime.datetime, reindex: set[int]) -> dict[str, int]:
    return doc_services.close_unit_books(unit=unit, at=at)


def _step_incoming(decision: Decision, unit: Unit, items: list[DecisionItem], actor: User | None,
                   at: datetime.datetime, reindex: set[int]) -> dict[str, int]:
    counts = {"incoming": 0, "flows": 0}
    prim = primary(items).successor
    found, _rest = routes("incoming", open_entries(unit), items)
    for item, qs in found:
        rows = list(qs.values_list("pk", "document_id"))
        ids = [r[0] for r in rows]
        new = item.successor
        for chunk in _chunks(ids):
            _trace(decision, IncomingEntry, chunk, "unit", unit, new, at)
            doc_services.reassign_entries(entry_ids=chunk, source=unit, target=new)
            flows = Flow.objects.filter(entry_id__in=chunk, status__in=FLOW_OPEN)
            counts["flows"] += _move(decision, Flow, flows, "unit", unit, new, at)
            _move(decision, Flow, flows, "handler_unit", unit, new, at)
        if new.pk != prim.pk:
            reindex.update(r[1] for r in rows)
        counts["incoming"] += len(ids)
    return counts


def _step_flows(decision: Decision, unit: Unit, items: list[DecisionItem], actor: User | None,
                at: datetime.datetime, reindex: set[int]) -> dict[str, int]:
    return {"flows": _move(decision, Flow, stray_flows(unit), "handler_unit", unit, primary(items).successor, at)}


def _moving(kind: str, model: type[Model], open_items: Callable[[Unit], QuerySet], fields: tuple[str, ...]) -> Step:
    """A step that hands a kind of open work (each unit-valued field of it) to the successor its rule names."""
    def step(decision: Decision, unit: Unit, items: list[DecisionItem], actor: User | None,
             at: datetime.datetime, reindex: set[int]) -> dict[str, int]:
        count = 0
        found, _rest = routes(kind, open_items(unit), items)
        for item, qs in found:
            ids = list(qs.values_list("pk", flat=True))
            count += len(ids)
            for field in fields:
                _move(decision, model, model._default_manager.filter(pk__in=ids), field, unit, item.successor, at)
        return {f"{kind}s": count}
    return step


_step_tasks = _moving("task", Task, open_tasks, ("executing_unit", "assigning_unit"))
_step_drafts = _moving("draft", Draft, open_drafts, ("unit", "drafting_unit"))


def _step_deliveries(decision: Decision, unit: Unit, items: list[DecisionItem], actor: User | None,
                     at: datetime.datetime, reindex: set[int]) -> dict[str, int]:
    counts = {"redirected": 0, "withdrawn": 0}
    symbol = decision.document_ref or (decision.document.symbol if decision.document is not None else "")
    basis = f"quyết định {symbol}" if symbol else f"quyết định tổ chức lại số {decision.pk}"
    prim = primary(items).successor
    senders: set[int] = set()
    found, _rest = routes("delivery", pending_deliveries(unit), items)
    for item, qs in found:
        new = item.successor
        rows = list(qs.values_list("pk", "document_id", "channel", "sender_unit_id"))
        taken = set(Delivery.objects.filter(recipient_unit=new, document_id__in={r[1] for r in rows})
                    .values_list("document_id", "channel"))
        moving = [r[0] for r in rows if (r[1], r[2]) not in taken]
        dropping = [r[0] for r in rows if (r[1], r[2]) in taken]
        senders.update(r[3] for r in rows)
        for chunk in _chunks(moving):
            _trace(decision, Delivery, chunk, "recipient_unit", unit, new, at)
            doc_services.redirect_deliveries(
                delivery_ids=chunk, source=unit, target=new, actor=actor, at=at,
                note=f"{unit.name} ngừng hoạt động; chuyển đến {new.name} theo {basis}.")
        for chunk in _chunks(dropping):
            _trace(decision, Delivery, chunk, "withdrawn", unit, new, at)
            doc_services.withdraw_deliveries(
                delivery_ids=chunk, at=at, reason=f"{new.name} đã nhận văn bản này.", actor=actor,
                note=f"{unit.name} ngừng hoạt động; {new.name} đã nhận văn bản này theo {basis}.")
        if new.pk != prim.pk:
            redirected = set(moving)
            reindex.update(r[1] for r in rows if r[0] in redirected)
        counts["redirected"] += len(moving)
        counts["withdrawn"] += len(dropping)
    if symbol:
        msgid = gettext_noop("Documents sent to %(unit)s were passed to its successor under decision %(symbol)s.")
    else:
        msgid = gettext_noop("Documents sent to %(unit)s were passed to its successor under reorganization "
                             "decision no. %(number)s.")
    for sender in Unit.objects.filter(pk__in=senders):
        notify_unit(sender, msgid, {"unit": unit.name, "symbol": symbol, "number": decision.pk})
    return counts


def _step_subunits(decision: Decision, unit: Unit, items: list[DecisionItem], actor: User | None,
                   at: datetime.datetime, reindex: set[int]) -> dict[str, int]:
    """Sub-units leave the old unit: each subtree is moved whole (every descendant's path rewritten)."""
    moved = 0
    moves = sub_unit_moves(decision, unit, items)
    for child, destination in moves:
        _trace(decision, Unit, [child.pk], "parent", unit, destination, at)
        moved += unit_services.move_subtree(actor=actor, unit=child, new_parent=destination, permission_checked=True,
                                            reason=f"reorg decision {decision.pk}")
    return {"sub_units": len(moves), "units_moved": moved}


def _step_successor(decision: Decision, unit: Unit, items: list[DecisionItem], actor: User | None,
                    at: datetime.datetime, reindex: set[int]) -> dict[str, int]:
    """The primary successor now holds the old unit's collection: its people read it (decision 0025). Before the
    memberships step, so the people moving to the successor never lose sight of it."""
    new = primary(items).successor
    _trace(decision, Unit, [unit.pk], "successor", unit, new, at)
    unit_services.set_successor(unit=unit, successor=new, at=at)
    return {"successor": new.pk}


def _step_memberships(decision: Decision, unit: Unit, items: list[DecisionItem], actor: User | None,
                      at: datetime.datetime, reindex: set[int]) -> dict[str, int]:
    new = primary(items).successor
    members = list(Membership.objects.active().filter(unit=unit).values_list("pk", "user_id", "role", "position_id"))
    ids = [m[0] for m in members]
    counts = {"ended": len(ids), "created": 0, "deactivated": 0}
    for chunk in _chunks(ids):
        _trace(decision, Membership, chunk, "unit", unit, new, at)
        account_services.end_memberships(membership_ids=chunk, at=at)
    if decision.members == MemberPolicy.MOVE:
        counts["created"] = account_services.add_memberships(unit_id=new.pk,
                                                             members=[(u, r, p) for _pk, u, r, p in members])
    else:
        counts["deactivated"] = account_services.deactivate_unplaced_users(user_ids=sorted({m[1] for m in members}))
    if actor is not None:
        forget(actor)
    return counts


def _step_status(decision: Decision, unit: Unit, items: list[DecisionItem], actor: User | None,
                 at: datetime.datetime, reindex: set[int]) -> dict[str, UnitStatus]:
    status = UnitStatus.DISSOLVED if decision.kind == DecisionKind.DISSOLVE else UnitStatus.MERGED
    last_day = max(unit.effective_from, decision.effective_on - datetime.timedelta(days=1))
    unit_services.end_unit(unit=unit, status=status, effective_to=last_day, at=at)
    return {"status": status}


STEP_FUNCTIONS: dict[str, Step] = {
    "freeze": _step_freeze, "incoming": _step_incoming, "flows": _step_flows, "tasks": _step_tasks,
    "drafts": _step_drafts, "deliveries": _step_deliveries, "subunits": _step_subunits,
    "successor": _step_successor, "memberships": _step_memberships,
    "status": _step_status,
}


def _check_executable(decision: Decision, actor: User | None, today: datetime.date, console: bool) -> None:
    if not console:
        require(policy.can_reorganize(actor), _("Only a system administrator executes reorganizations."))
    if today < decision.effective_on:
        raise ValidationError({"effective_on": _("The decision takes effect on %(date)s; it cannot be executed "
                                                 "before.") % {
            "date": f"{decision.effective_on:%d/%m/%Y}"}})


def execute(*, actor: User | None, decision: Decision, today: datetime.date | None = None,
            console: bool = False) -> Decision:
    """Execute ``decision`` (on or after its effective date), resuming after the last committed step.

    ``console``: run from ``dieuhanh reorg execute`` by the operator of the installation (``actor`` may be None).
    """
    today = today or timezone.localdate()
    decision = Decision.objects.get(pk=decision.pk)
    _check_executable(decision, actor, today, console)
    if decision.status == DecisionStatus.EXECUTED:
        return decision
    with transaction.atomic():
        locked = Decision.objects.select_for_update().get(pk=decision.pk)
        if locked.status == DecisionStatus.RECORDED:
            blocking = [p for p in selectors.preview(locked)["problems"] if p["blocking"]]
            if blocking:
                raise ValidationError({"items": " ".join(p["message"] for p in blocking)})
            locked.status = DecisionStatus.EXECUTING
            locked.save(update_fields=["status"])
            record(actor=actor, action="reorg.execute.start", obj=locked, data={"kind": locked.kind})
    grouped = items_by_unit(decision)
    for items in grouped.values():
        for name in STEPS:
            _run_step(decision, items, name, actor)
    with transaction.atomic():
        locked = Decision.objects.select_for_update().get(pk=decision.pk)
        if locked.status != DecisionStatus.EXECUTED:
            locked.status = DecisionStatus.EXECUTED
            locked.executed_at = timezone.now()
            locked.save(update_fields=["status", "executed_at"])
            done = ExecutionStep.objects.filter(decision=locked).count()
            record(actor=actor, action="reorg.execute.done", obj=locked, data={"steps": done})
    return locked


def _run_step(decision: Decision, items: list[DecisionItem], name: str, actor: User | None) -> ExecutionStep | None:
    unit_id = items[0].old_unit_id
    with transaction.atomic():
        decision = Decision.objects.select_for_update(of=("self",)).select_related("document").get(pk=decision.pk)
        if ExecutionStep.objects.filter(decision=decision, old_unit_id=unit_id, name=name).exists():
            return None
        unit = Unit.objects.select_for_update().get(pk=unit_id)
        at = timezone.now()
        reindex: set[int] = set()
        counts = STEP_FUNCTIONS[name](decision, unit, items, actor, at, reindex)
        step = ExecutionStep.objects.create(decision=decision, old_unit=unit, name=name, counts=counts)
        if reindex:  # index writes last (lock order), then the audit chain's head
            search_services.index_documents(document_ids=sorted(reindex))
        record(actor=actor, action=f"reorg.step.{name}", obj=decision, unit=unit, data=counts)
        return step


def refuse_if_not_admin(actor: User) -> None:
    if not policy.can_reorganize(actor):
        raise PermissionDenied(_("Only a system administrator may do this."))
