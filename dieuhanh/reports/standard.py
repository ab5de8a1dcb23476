"""The standard set of reports (issue 16): five tables a leader reads, exports and schedules, plus a specialist's
own figures. Each report is a few grouped queries over the unit's subtree (an indexed path range) and the period,
never a query per row; every figure passes the document policy (``documents.policy.cleared_q``: a reader counts
only what they are cleared for, and nothing secret outside the closed network).

The rows "by unit" are the unit's own work and one row per unit directly below it (that unit's whole subtree), so
a leader drills down one level at a time, as on the dashboard."""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, Substr, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dieuhanh.accounts.models import User
from dieuhanh.documents.models import (
    ArrivalOrigin,
    Channel,
    Delivery,
    DeliveryEvent,
    DeliveryStatus,
    Document,
    DocumentFile,
    DocumentStatus,
    DocumentType,
    IncomingEntry,
    Urgency,
)
from dieuhanh.documents.policy import cleared_q
from dieuhanh.drafting.models import Signature
from dieuhanh.kernel.ids import parse_id
from dieuhanh.processing.calendar import add_working_days
from dieuhanh.processing.models import OPEN_STATUSES as FLOW_OPEN
from dieuhanh.processing.models import Flow, FlowRole, FlowStatus
from dieuhanh.signatures.models import CheckOutcome, SignatureCheck
from dieuhanh.tasks.models import ENDED_STATUSES as TASK_ENDED
from dieuhanh.tasks.models import OPEN_STATUSES as TASK_OPEN
from dieuhanh.tasks.models import Task
from dieuhanh.units.models import STEP_WIDTH, Unit

from . import periods
from .models import DailyFigure, RefreshState
from .selectors import END, can_read

KINDS: dict[str, Any] = {
    "documents": gettext_lazy("Documents in and out"),
    "processing": gettext_lazy("Processing of incoming documents"),
    "tasks": gettext_lazy("Tasks and leaders' directions"),
    "exchange": gettext_lazy("Electronic exchange of documents"),
    "digitization": gettext_lazy("Degree of digitization"),
}
# The longest period a report covers: ten years (as the dashboard API).
# Above this many days or units, an export runs in the background with its progress shown.
BACKGROUND_DAYS = 92
BACKGROUND_UNITS = 500
MAX_LATE_DAYS = 30


@dataclass
class Params:
    kind: str
    unit: Unit
    start: datetime.date
    end: datetime.date
    late_days: int = 1  # exchange: a copy not accepted (03) within this many working days is late

    def as_query(self) -> dict[str, str]:
        return {"kind": self.kind, "unit": str(self.unit.pk), "start": self.start.isoformat(),
                "end": self.end.isoformat(), "late_days": str(self.late_days)}


@dataclass
class Section:
    """One table: a title, column labels (the first names the row), rows of values, a totals row (or None)."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    totals: list[Any] | None = None
    row_units: list[int | None] = field(default_factory=list)  # rows by unit: the unit each row drills down to
    note: str = ""  # what the reader should know about where the figures come from


@dataclass
class Report:
    params: Params
    title: str
    sections: list[Section] = field(default_factory=list)
    generated_at: datetime.datetime = field(default_factory=timezone.now)


# --- input -------------------------------------------------------------------------------------------------------

def parse(user: User, *, kind: Any, unit: Any, start: Any, end: Any, late_days: Any = None) -> Params:
    """The report's parameters from what a page or the API received, or a ValidationError naming each bad field;
    a unit the reader may not see is a PermissionDenied (the callers name the field ``unit``)."""
    errors: dict[str, str] = {}
    if kind not in KINDS:
        errors["kind"] = _("Unknown report: choose one of %(kinds)s.") % {"kinds": ", ".join(KINDS)}
    first, last = periods.read_dates(start, end, errors)
    days = 1
    if late_days not in (None, ""):
        try:
            days = int(str(late_days).strip())
            if not 0 <= days <= MAX_LATE_DAYS:
                raise ValueError
        except ValueError:
            errors["late_days"] = _("Give a whole number of working days from 0 to %(max)s.") % {"max": MAX_LATE_DAYS}
    pk = parse_id(unit if isinstance(unit, int) else str(unit or ""))
    target = Unit.objects.filter(pk=pk).first() if pk is not None else None
    if target is None and "unit" not in errors:
        errors["unit"] = _("Choose a unit.") if unit in (None, "") else _("No such unit.")
    if errors:
        raise ValidationError(errors)
    assert target is not None and first is not None and last is not None
    if not can_read(user, target):
        raise PermissionDenied(_("You may not see this unit's figures."))
    return Params(kind=str(kind), unit=target, start=first, end=last, late_days=days)


def is_large(params: Params) -> bool:
    """True when an export of ``params`` should run in the background (a long period or a big subtree)."""
    if (params.end - params.start).days > BACKGROUND_DAYS:
        return True
    return _in_subtree(Unit.objects.all(), "", params.unit)[:BACKGROUND_UNITS + 1].count() > BACKGROUND_UNITS


# --- shared pieces -----------------------------------------------------------------------------------------------

def _in_subtree(qs: QuerySet, prefix: str, unit: Unit) -> QuerySet:
    """Rows whose unit (reached through ``prefix``, e.g. ``"unit__"``) is ``unit`` or below it."""
    return qs.filter(**{f"{prefix}path__gte": unit.path, f"{prefix}path__lt": unit.path + END})


def _bucket(prefix: str, unit: Unit) -> Any:
    """The row a unit's work goes to: its path cut to one level below ``unit`` (the unit itself: its own path)."""
    return Substr(f"{prefix}path", 1, len(unit.path) + STEP_WIDTH)


def _units_table(unit: Unit, names: list[tuple[str, str]], keyed: dict[Any, dict[str, int]],
                 derived: Callable[[dict[str, int]], list[Any]] | None = None,
                 derived_labels: Iterable[str] = ()) -> Section:
    """The table by unit: the unit's own work first (its own registrations, documents, ...), then one row per unit
    directly below it with its whole subtree; ``keyed`` is keyed by the path cut one level below ``unit``."""
    children = list(Unit.objects.filter(parent=unit).order_by("sort_key", "id"))
    rows = [(unit.path, _("%(unit)s (own work)") % {"unit": unit.name})] + [(c.path, c.name) for c in children]
    section = _table("by_unit", _("By unit"), _("Unit"), names, keyed, rows, derived, derived_labels)
    section.row_units = [None] + [c.pk for c in children]
    return section


def percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _table(key: str, title: str, first: str, names: list[tuple[str, str]], keyed: dict[Any, dict[str, int]],
           row_keys: Iterable[tuple[Any, str]], derived: Callable[[dict[str, int]], list[Any]] | None = None,
           derived_labels: Iterable[str] = ()) -> Section:
    """A section whose rows are ``row_keys`` (key, label), each showing ``names`` counted in ``keyed[key]``, then
    the ``derived`` figures (percentages) computed from the same counts; the totals row sums the counts."""
    columns = [first] + [label for _n, label in names] + list(derived_labels)
    rows, total = [], dict.fromkeys([n for n, _l in names], 0)
    for key_, label in row_keys:
        counts = {n: int(keyed.get(key_, {}).get(n) or 0) for n, _l in names}
        for n in counts:
            total[n] += counts[n]
        rows.append([label] + list(counts.values()) + (derived(counts) if derived else []))
    totals = [_("Total")] + list(total.values()) + (derived(total) if derived else [])
    return Section(key=key, title=title, columns=columns, rows=rows, totals=totals)


def _by(rows: Iterable[dict[str, Any]], key: str) -> dict[Any, dict[str, int]]:
    out: dict[Any, dict[str, int]] = {}
    for row in rows:
        cell = out.setdefault(row[key], {})
        for name, value in row.items():
            if name != key:
                cell[name] = cell.get(name, 0) + (value or 0)
    return out


# --- 1. documents in and out -------------------------------------------------------------------------------------

def incoming_qs(user: User, p: Params) -> QuerySet:
    """Registrations of the period in the subtree (not recalled), as the reader may count them."""
    qs = IncomingEntry.objects.filter(recalled_at__isnull=True, arrived_on__gte=p.start, arrived_on__lte=p.end)
    return _in_subtree(qs, "unit__", p.unit).filter(cleared_q(user, "document__"))


def outgoing_qs(user: User, p: Params) -> QuerySet:
    """Documents the subtree issued in the period, as the reader may count them."""
    qs = Document.objects.filter(status=DocumentStatus.ISSUED, issued_on__gte=p.start, issued_on__lte=p.end)
    return _in_subtree(qs, "issuing_unit__", p.unit).filter(cleared_q(user))


def _in_counts() -> dict[str, Any]:
    electronic = Q(origin=ArrivalOrigin.ELECTRONIC)
    return {"in_total": Count("pk"), "in_electronic": Count("pk", filter=electronic),
            "in_paper": Count("pk", filter=Q(origin=ArrivalOrigin.PAPER)),
            # electronic, and not a copy another unit of this installation sent: it came from outside
            "in_exchanged": Count("pk", filter=electronic & (Q(delivery__isnull=True)
                                                             | Q(delivery__channel=Channel.GATEWAY)))}


def _copies_annotated(qs: QuerySet) -> QuerySet:
    copies = Delivery.objects.filter(document=OuterRef("pk"))
    return qs.annotate(has_copy=Exists(copies), has_paper=Exists(copies.filter(channel=Channel.PAPER)),
                       has_gateway=Exists(copies.filter(channel=Channel.GATEWAY)))


def _out_counts() -> dict[str, Any]:
    return {"out_total": Count("pk"), "out_electronic": Count("pk", filter=Q(has_copy=True, has_paper=False)),
            "out_paper": Count("pk", filter=Q(has_paper=True)),
            "out_exchanged": Count("pk", filter=Q(has_gateway=True))}


def _fold(rows: Iterable[dict[str, Any]], keys: tuple[str, ...]) -> list[dict[Any, dict[str, int]]]:
    """One grouped query's rows (grouped by every name in ``keys`` at once) summed into one table per key: the
    database reads the rows once, whatever the number of tables."""
    tables: list[dict[Any, dict[str, int]]] = [{} for _k in keys]
    for row in rows:
        for table, key in zip(tables, keys, strict=True):
            cell = table.setdefault(row[key], {})
            for name, value in row.items():
                if name not in keys:
                    cell[name] = cell.get(name, 0) + (value or 0)
    return tables


def documents_report(user: User, p: Params) -> list[Section]:
    """Two grouped queries (incoming, outgoing), each grouped by unit row, type and urgency at once."""
    incoming = incoming_qs(user, p).values(
        k=_bucket("unit__", p.unit), t=F("document__document_type_id"), g=F("document__urgency")).annotate(
        **_in_counts())
    outgoing = _copies_annotated(outgoing_qs(user, p)).values(
        k=_bucket("issuing_unit__", p.unit), t=F("document_type_id"), g=F("urgency")).annotate(**_out_counts())
    by_unit, by_type, by_urgency = _fold(incoming, ("k", "t", "g"))
    for mine, theirs in zip((by_unit, by_type, by_urgency), _fold(outgoing, ("k", "t", "g")), strict=True):
        for key, cell in theirs.items():
            mine.setdefault(key, {}).update(cell)
    names = [("in_total", _("Incoming")), ("in_electronic", _("Incoming, electronic")),
             ("in_paper", _("Incoming, paper")), ("in_exchanged", _("Incoming from outside")),
             ("out_total", _("Outgoing")), ("out_electronic", _("Outgoing, electronic")),
             ("out_paper", _("Outgoing, paper")), ("out_exchanged", _("Outgoing to outside"))]
    sections = [_units_table(p.unit, names, by_unit)]
    two = [("in_total", _("Incoming")), ("out_total", _("Outgoing"))]
    types = DocumentType.objects.filter(pk__in=list(by_type)).order_by("system", "name")
    sections.append(_table("by_type", _("By type"), _("Type"), two, by_type, [(t.pk, t.name) for t in types]))
    sections.append(_table("by_urgency", _("By urgency"), _("Urgency"), two, by_urgency,
                           [(value, str(label)) for value, label in Urgency.choices]))
    return sections


# --- 2. processing of incoming documents -------------------------------------------------------------------------

PROCESSING = ["in_total", "in_on_time", "in_late", "in_open", "in_overdue", "in_unassigned"]


def _processing_names() -> list[tuple[str, str]]:
    return [("in_total", _("Received")), ("in_on_time", _("Finished on time")), ("in_late", _("Finished late")),
            ("in_open", _("Open, within deadline")), ("in_overdue", _("Open, past deadline")),
            ("in_unassigned", _("Not assigned"))]


def _on_time_share(counts: dict[str, int]) -> list[Any]:
    return [percent(counts["in_on_time"], counts["in_on_time"] + counts["in_late"])]


def processing_report(user: User, p: Params) -> list[Section]:
    """By unit from the rollups (the dashboard's figures: the root flow's state as of the last refresh), by person
    from the flows handed to each person (lead and co-handling, not for-information)."""
    cells = _in_subtree(DailyFigure.objects.filter(day__gte=p.start, day__lte=p.end), "unit__", p.unit)
    cells = cells.filter(cleared_q(user))
    by_unit = _by(cells.values(k=_bucket("unit__", p.unit)).annotate(**{n: Sum(n) for n in PROCESSING}), "k")
    share = [_("Share on time")]
    sections = [_units_table(p.unit, _processing_names(), by_unit, _on_time_share, share)]
    refreshed = RefreshState.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()
    sections[0].note = (_("As of the last refresh of the figures, %(when)s (every 10 minutes).") % {
        "when": timezone.localtime(refreshed).strftime("%d/%m/%Y %H:%M")} if refreshed else
        _("From the figures the background job refreshes every 10 minutes."))
    flows = person_flows(user, p)
    by_person = _by(flows.values(k=F("handler_user_id")).annotate(**flow_counts(timezone.localdate())), "k")
    people = User.objects.filter(pk__in=list(by_person)).order_by("full_name", "username", "id")
    names = [n for n in _processing_names() if n[0] != "in_unassigned"]
    sections.append(_table("by_person", _("By person"), _("Person"), names, by_person,
                           [(u.pk, u.full_name or u.username) for u in people], _on_time_share, share))
    return sections


def person_flows(user: User, p: Params) -> QuerySet:
    """Flows handed to a person for the period's registrations in the subtree."""
    qs = Flow.objects.filter(handler_user__isnull=False, role__in=(FlowRole.LEAD, FlowRole.CO),
                             entry__recalled_at__isnull=True, entry__arrived_on__gte=p.start,
                             entry__arrived_on__lte=p.end).exclude(status=FlowStatus.RECALLED)
    return _in_subtree(qs, "entry__unit__", p.unit).filter(cleared_q(user, "entry__document__"))


def flow_counts(today: datetime.date) -> dict[str, Any]:
    """On time, late, open within / past deadline, of flows (each flow's own deadline and completion day)."""
    done = Q(status=FlowStatus.COMPLETED)
    is_open = Q(status__in=FLOW_OPEN)
    finished = TruncDate("completed_at")
    return {"in_total": Count("pk"),
            "in_on_time": Count("pk", filter=done & (Q(deadline__isnull=True) | Q(deadline__gte=finished))),
            "in_late": Count("pk", filter=done & Q(deadline__lt=finished)),
            "in_open": Count("pk", filter=is_open & (Q(deadline__isnull=True) | Q(deadline__gte=today))),
            "in_overdue": Count("pk", filter=is_open & Q(deadline__lt=today))}


# --- 3. tasks and leaders' directions ----------------------------------------------------------------------------

def tasks_qs(user: User, p: Params) -> QuerySet:
    """Tasks started in the period that the subtree gave or was given; a task from a document counts only for a
    reader cleared for that document."""
    inside = {"path__gte": p.unit.path, "path__lt": p.unit.path + END}
    qs = Task.objects.filter(start_date__gte=p.start, start_date__lte=p.end).filter(
        Q(**{f"executing_unit__{k}": v for k, v in inside.items()})
        | Q(**{f"assigning_unit__{k}": v for k, v in inside.items()}))
    return qs.filter(_task_cleared(user))


def _task_cleared(user: User) -> Any:
    """A task from a document counts only for a reader cleared for it: a probe by the document's key (a join
    would read every document)."""
    return ~Exists(Document.objects.filter(pk=OuterRef("origin_document_id")).exclude(cleared_q(user)))


def task_counts(today: datetime.date) -> dict[str, Any]:
    ended = Q(status__in=TASK_ENDED)
    is_open = Q(status__in=TASK_OPEN)
    return {"given": Count("pk"),
            "on_time": Count("pk", filter=ended & Q(finished__lte=F("deadline"))),
            "late": Count("pk", filter=ended & Q(finished__gt=F("deadline"))),
            "open": Count("pk", filter=is_open & Q(deadline__gte=today)),
            "overdue": Count("pk", filter=is_open & Q(deadline__lt=today)),
            "extended": Count("pk", filter=Q(extensions__gt=0))}


def _coalesced() -> Any:
    """The day a task ended: its completion, or for a closed task the day it was closed (as the rollups)."""
    return Coalesce(TruncDate("completed_at"), TruncDate("status_at"))


def _task_names() -> list[tuple[str, str]]:
    return [("given", _("Given")), ("on_time", _("Finished on time")), ("late", _("Finished late")),
            ("open", _("In progress, within deadline")), ("overdue", _("In progress, past deadline")),
            ("extended", _("Extended"))]


def _completed(counts: dict[str, int]) -> list[Any]:
    return [percent(counts["on_time"] + counts["late"], counts["given"]), percent(counts["on_time"], counts["given"])]


def tasks_report(user: User, p: Params) -> list[Section]:
    qs = tasks_qs(user, p).annotate(finished=_coalesced())
    counts = task_counts(timezone.localdate())
    derived = [_("Share completed"), _("Share completed on time")]
    # one grouped query, by leader and lead unit at once
    by_leader, by_unit = _fold(qs.values(a=F("assigned_by_id"), e=F("executing_unit_id")).annotate(**counts),
                               ("a", "e"))
    leaders = User.objects.filter(pk__in=list(by_leader)).order_by("full_name", "username", "id")
    units = Unit.objects.filter(pk__in=list(by_unit)).order_by("sort_key", "id")
    return [_table("by_leader", _("By assigning leader"), _("Leader"), _task_names(), by_leader,
                   [(u.pk, u.full_name or u.username) for u in leaders], _completed, derived),
            _table("by_lead_unit", _("By lead unit"), _("Lead unit"), _task_names(), by_unit,
                   [(u.pk, u.name) for u in units], _completed, derived)]


# --- 4. electronic exchange --------------------------------------------------------------------------------------

def _event_day(status: str) -> Any:
    events = DeliveryEvent.objects.filter(delivery=OuterRef("pk"), status=status)
    return Subquery(events.order_by().values("delivery").annotate(m=Min("at")).values("m")[:1])


def exchange_qs(user: User, p: Params, side: str) -> QuerySet:
    """Electronic copies created in the period that the subtree sent (``side`` "sender_unit") or received
    ("recipient_unit"), as the reader may count them."""
    # a range of instants, not a date per row: the bounds are the period's first and last local midnights
    first = timezone.make_aware(datetime.datetime.combine(p.start, datetime.time.min))
    after = timezone.make_aware(datetime.datetime.combine(p.end + datetime.timedelta(days=1), datetime.time.min))
    qs = Delivery.objects.filter(created_at__gte=first, created_at__lt=after).exclude(channel=Channel.PAPER)
    return _in_subtree(qs, f"{side}__", p.unit).filter(cleared_q(user, "document__"))


def signed_q() -> Q:
    """The copy's document carries the organization's digital signature: applied at issue here, or verified on a
    file that arrived from outside."""
    org = Signature.objects.filter(draft__document=OuterRef("document"), organization=True, withdrawn_at__isnull=True)
    checked = SignatureCheck.objects.filter(
        outcome=CheckOutcome.VALID,
        blob_id__in=DocumentFile.objects.filter(document=OuterRef(OuterRef("document"))).values("blob_id"))
    return Q(Exists(org)) | Q(Exists(checked))


def exchange_report(user: User, p: Params, today: datetime.date | None = None) -> list[Section]:
    today = today or timezone.localdate()
    events = DeliveryEvent.objects.filter(delivery=OuterRef("pk"))
    sent = exchange_qs(user, p, "sender_unit").annotate(
        refused=Exists(events.filter(status=DeliveryStatus.REFUSED)),
        recalled=Exists(events.filter(status=DeliveryStatus.RECALL_REQUESTED)),
        signed=signed_q(), accepted=TruncDate(_event_day(DeliveryStatus.ACCEPTED)), made=TruncDate("created_at"))
    rows = sent.values("made", "accepted", "refused", k=_bucket("sender_unit__", p.unit)).annotate(
        n=Count("pk"), n_refused=Count("pk", filter=Q(refused=True)), n_recalled=Count("pk", filter=Q(recalled=True)),
        n_signed=Count("pk", filter=Q(signed=True)))
    due: dict[datetime.date, datetime.date] = {}
    by_unit: dict[Any, dict[str, int]] = {}
    for row in rows:
        cell = by_unit.setdefault(row["k"], dict.fromkeys(("sent", "refused", "recalled", "late", "signed"), 0))
        cell["sent"] += row["n"]
        cell["refused"] += row["n_refused"]
        cell["recalled"] += row["n_recalled"]
        cell["signed"] += row["n_signed"]
        if row["made"] not in due:
            due[row["made"]] = add_working_days(row["made"], p.late_days)
        limit, accepted = due[row["made"]], row["accepted"]
        # late: accepted after N working days, or not accepted (nor refused) and N working days are over
        if (accepted and accepted > limit) or (not accepted and not row["refused"] and today > limit):
            cell["late"] += row["n"]
    for row in exchange_qs(user, p, "recipient_unit").values(k=_bucket("recipient_unit__", p.unit)).annotate(
            n=Count("pk")):
        by_unit.setdefault(row["k"], {})["received"] = row["n"]
    for cell in by_unit.values():
        cell["unsigned"] = cell.get("sent", 0) - cell.get("signed", 0)
    names = [("sent", _("Sent")), ("received", _("Received")), ("refused", _("Refused (02)")),
             ("recalled", _("Recalled (13)")),
             ("late", _("Accepted late (no 03 within %(n)s working days)") % {"n": p.late_days}),
             ("signed", _("Signed")), ("unsigned", _("Unsigned"))]
    return [_units_table(p.unit, names, by_unit,
                   lambda c: [percent(c["signed"], c["sent"])], [_("Share signed")])]


# --- 5. degree of digitization -----------------------------------------------------------------------------------

def digitization_report(user: User, p: Params) -> list[Section]:
    incoming = incoming_qs(user, p)
    by_unit = _by(incoming.values(k=_bucket("unit__", p.unit)).annotate(**_in_counts()), "k")
    signatures = Signature.objects.filter(draft__document=OuterRef("pk"), withdrawn_at__isnull=True)
    outgoing = _copies_annotated(outgoing_qs(user, p)).annotate(
        personal=Exists(signatures.filter(organization=False)), organization=Exists(signatures.filter(
            organization=True)))
    for key, cell in _by(outgoing.values(k=_bucket("issuing_unit__", p.unit)).annotate(
            **_out_counts(), out_personal=Count("pk", filter=Q(personal=True)),
            out_organization=Count("pk", filter=Q(organization=True)),
            out_both=Count("pk", filter=Q(personal=True, organization=True))), "k").items():
        by_unit.setdefault(key, {}).update(cell)
    names = [("in_total", _("Incoming")), ("in_electronic", _("Incoming, electronic")),
             ("in_paper", _("Incoming, paper")), ("out_total", _("Outgoing")),
             ("out_electronic", _("Outgoing, fully electronic")), ("out_personal", _("With personal signature")),
             ("out_organization", _("With organization signature")), ("out_both", _("With both signatures")),
             ("out_paper", _("Outgoing with paper copies"))]

    def shares(c: dict[str, int]) -> list[Any]:
        total = c["in_total"] + c["out_total"]
        return [percent(c["in_electronic"] + c["out_electronic"], total), percent(c["out_both"], c["out_total"]),
                percent(c["in_paper"] + c["out_paper"], total)]

    return [_units_table(p.unit, names, by_unit, shares,
                   [_("Share fully electronic"), _("% with both signatures"), _("% paper")])]


BUILDERS: dict[str, Callable[[User, Params], list[Section]]] = {
    "documents": documents_report, "processing": processing_report, "tasks": tasks_report,
    "exchange": exchange_report, "digitization": digitization_report,
}


def build(user: User, params: Params) -> Report:
    """The report ``params.kind`` for ``user`` (who must be able to read the unit: checked again here)."""
    if not can_read(user, params.unit):
        raise PermissionDenied(_("You may not see this unit's figures."))
    return Report(params=params, title=str(KINDS[params.kind]), sections=BUILDERS[params.kind](user, params))


# --- a specialist's own page -------------------------------------------------------------------------------------

def own_flows(user: User, start: datetime.date, end: datetime.date) -> QuerySet:
    """The flows handed to ``user`` for registrations of the period (lead and co-handling)."""
    qs = Flow.objects.filter(handler_user=user, role__in=(FlowRole.LEAD, FlowRole.CO), entry__recalled_at__isnull=True,
                             entry__arrived_on__gte=start, entry__arrived_on__lte=end).exclude(
        status=FlowStatus.RECALLED)
    return qs.filter(cleared_q(user, "entry__document__"))


def own_tasks(user: User, start: datetime.date, end: datetime.date) -> QuerySet:
    """Tasks ``user`` leads that started in the period."""
    qs = Task.objects.filter(lead_user=user, start_date__gte=start, start_date__lte=end)
    return qs.filter(_task_cleared(user))


def own_figures(user: User, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """Two grouped queries: the person's flows and tasks over the period, on time, late and open."""
    today = timezone.localdate()
    flows = own_flows(user, start, end).aggregate(**flow_counts(today))
    flows["on_time_percent"] = percent(flows["in_on_time"], flows["in_on_time"] + flows["in_late"])
    tasks = own_tasks(user, start, end).annotate(finished=_coalesced()).aggregate(**task_counts(today))
    tasks["completed_percent"] = percent(tasks["on_time"] + tasks["late"], tasks["given"])
    return {"flows": flows, "tasks": tasks}


def own_late(user: User, start: datetime.date, end: datetime.date, limit: int = 50) -> dict[str, list[Any]]:
    """The person's late and overdue work of the period, most recent first (a short list, the policy applied)."""
    today = timezone.localdate()
    flows = own_flows(user, start, end).annotate(finished=TruncDate("completed_at")).filter(
        Q(status=FlowStatus.COMPLETED, finished__gt=F("deadline")) | Q(status__in=FLOW_OPEN, deadline__lt=today))
    tasks = own_tasks(user, start, end).annotate(finished=_coalesced()).filter(
        Q(status__in=TASK_ENDED, finished__gt=F("deadline")) | Q(status__in=TASK_OPEN, deadline__lt=today))
    return {"flows": list(flows.select_related("entry__document").order_by("-entry__arrived_on", "-id")[:limit]),
            "tasks": list(tasks.order_by("-start_date", "-id")[:limit])}
