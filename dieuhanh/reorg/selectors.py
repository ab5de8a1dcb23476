"""Reads of reorganizations: decisions, the dry run (preview) and the traces left on moved items.

The preview is a fixed number of counting queries per old unit and successor, whatever the number of documents."""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from dieuhanh.accounts.models import Membership
from dieuhanh.documents.models import Delivery, Document, IncomingEntry, NumberSeries, Register
from dieuhanh.kernel.pagination import keyset_page
from dieuhanh.records.models import FileItem, FileStatus, RecordFile
from dieuhanh.units.models import UnitStatus

from . import services
from .models import Decision, DecisionStatus, ExecutionStep, ItemRule, ReassignmentTrace


def get_decision(decision_id):
    return Decision.objects.select_related("document", "created_by").get(pk=decision_id)


def decision_page(cursor=None, limit=50):
    return keyset_page(Decision.objects.select_related("document"), ["-id"], cursor, limit)


def collection(unit):
    """The documents of a unit's collection (phông): issued by it, registered in its registers, or in its files."""
    entries = IncomingEntry.objects.filter(register__unit=unit).values("document_id")
    items = FileItem.objects.filter(file__unit=unit).values("document_id")
    return Document.objects.filter(Q(issuing_unit=unit) | Q(pk__in=entries) | Q(pk__in=items))


def _unrouted_message(kind):
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


def _problem(code, message, count=0, blocking=False, unit=None):
    return {"code": code, "message": message, "count": count, "blocking": blocking,
            "unit_id": unit.pk if unit else None}


def preview(decision, today=None):
    """Everything the execution will move, per old unit and per successor, with the problems found."""
    problems = []
    units = []
    grouped = services.items_by_unit(decision)
    for _unit_id, items in grouped.items():
        unit = items[0].old_unit
        if unit.status != UnitStatus.ACTIVE and decision.status == DecisionStatus.RECORDED:
            problems.append(_problem("unit_not_active", _("%(unit)s is %(status)s.") % {
                "unit": unit.name, "status": unit.get_status_display().lower()}, blocking=True, unit=unit))
        successors = {}
        unrouted = {}
        for kind, rule_kind, base in (
                ("incoming", "incoming", services._open_entries(unit)), ("tasks", "task", services._open_tasks(unit)),
                ("drafts", "draft", services._open_drafts(unit)),
                ("deliveries", "delivery", services._pending_deliveries(unit))):
            found, rest = services.routes(rule_kind, base, items)
            for item, qs in found:
                row = successors.setdefault(item.successor_id, {"successor_id": item.successor_id,
                                                                "successor": item.successor.name})
                row[kind] = row.get(kind, 0) + qs.count()
                if kind == "incoming":
                    row["flows"] = row.get("flows", 0) + services.Flow.objects.filter(
                        entry__in=qs.values("pk"), status__in=services.FLOW_OPEN).count()
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
        prim = services.primary(items).successor
        stray = services._stray_flows(unit).count()
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
                    claimed |= Q(drafting_unit__path__gte=i.department.path,
                                 drafting_unit__path__lt=i.department.path + "~")
            n = collection(unit).exclude(claimed).count()
            if n:
                problems.append(_problem("documents_without_successor",
                                         _("%(n)s document(s) of %(unit)s match no rule: no successor takes them "
                                           "over; the collection goes whole to the first successor.") % {
                                             "n": n, "unit": unit.name}, n, unit=unit))
        frozen = (services._open_entries(unit).filter(document__freeze__isnull=False).count()
                  + services._pending_deliveries(unit).filter(document__freeze__isnull=False).count())
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
            moves = services.sub_unit_moves(decision, unit, items, old_ids=set(grouped))
            for destination in {d.pk: d for _c, d in moves}.values():
                why = services.sub_unit_problem(unit, destination)
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


def traces_for(object_type, object_id):
    return list(ReassignmentTrace.objects.filter(object_type=object_type, object_id=object_id)
                .select_related("old_unit", "new_unit").order_by("id"))


def trace_page(decision, cursor=None, limit=50, object_type=None):
    qs = ReassignmentTrace.objects.filter(decision=decision).select_related("old_unit", "new_unit")
    if object_type:
        qs = qs.filter(object_type=object_type)
    return keyset_page(qs, ["id"], cursor, limit)
