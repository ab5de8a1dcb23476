"""Recomputing the rollups exactly from the raw tables, set-based (decision 0045): three grouped queries for any set
of units and days, whatever their size, then one delete and one insert."""

import datetime
from collections.abc import Collection, Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Exists, F, FilteredRelation, Max, Min, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from dieuhanh.documents.models import (
    ArrivalOrigin,
    Channel,
    Document,
    DocumentFile,
    DocumentStatus,
    IncomingEntry,
)
from dieuhanh.drafting.models import Signature
from dieuhanh.processing.calendar import is_working_day, working_days_between
from dieuhanh.processing.models import OPEN_STATUSES as FLOW_OPEN
from dieuhanh.processing.models import Flow, FlowStatus
from dieuhanh.reorg.models import ReassignmentTrace
from dieuhanh.signatures.models import CheckOutcome, SignatureCheck
from dieuhanh.tasks.models import ENDED_STATUSES as TASK_ENDED
from dieuhanh.tasks.models import OPEN_STATUSES as TASK_OPEN
from dieuhanh.tasks.models import Task

from . import rollups
from .models import DailyFigure, DirtyMark, RefreshState

INCOMING = ("in_total", "in_electronic", "in_unassigned", "in_on_time", "in_late", "in_open", "in_overdue",
            "in_exchanged")
DONE_DAYS = ("in_done_days",)
OUTGOING = ("out_total", "out_electronic", "out_exchanged", "out_paper", "out_signed")
TASKS = ("tasks_given", "tasks_on_time", "tasks_late", "tasks_open", "tasks_overdue", "tasks_extended")
FIGURES = INCOMING + DONE_DAYS + OUTGOING + TASKS

Cell = tuple[int, datetime.date, int]  # unit id, day, confidentiality


def _scoped(qs: QuerySet, unit_field: str, day_field: str, unit_ids: Collection[int] | None,
            days: Collection[datetime.date] | None) -> QuerySet:
    if unit_ids is not None:
        qs = qs.filter(**{f"{unit_field}__in": list(unit_ids)})
    if days is not None:
        qs = qs.filter(**{f"{day_field}__in": list(days)})
    return qs


def signed(document: Any) -> Q:
    """The document (an OuterRef to it) carries the organization's digital signature: applied to the draft it was
    issued from (not withdrawn), or found valid on one of its files (an arrival's files are checked)."""
    org = Signature.objects.filter(draft__document=document, organization=True, withdrawn_at__isnull=True)
    valid = SignatureCheck.objects.filter(blob_id=OuterRef("blob_id"), outcome=CheckOutcome.VALID)
    checked = DocumentFile.objects.filter(Exists(valid), document=document)
    return Q(Exists(org)) | Q(Exists(checked))


def _entries(unit_ids: Collection[int] | None, days: Collection[datetime.date] | None) -> QuerySet:
    """Registrations not recalled, with their root flow's state (the receiving unit's own processing)."""
    qs = _scoped(IncomingEntry.objects.filter(recalled_at__isnull=True), "unit_id", "arrived_on", unit_ids, days)
    # one LEFT JOIN to the root flow (at most one per entry: flow_one_root_per_entry), not a subquery per use of
    # each field: at 5M registrations the subqueries were 13 index probes a row (decision 0046)
    qs = qs.annotate(root=FilteredRelation("flows", condition=Q(flows__parent__isnull=True)))
    return qs.annotate(r_status=F("root__status"), r_deadline=F("root__deadline"),
                       r_done=TruncDate("root__completed_at"))


def _incoming(unit_ids: Collection[int] | None, days: Collection[datetime.date] | None,
              today: datetime.date) -> QuerySet:
    qs = _entries(unit_ids, days)
    done = Q(r_status=FlowStatus.COMPLETED)
    is_open = Q(r_status__in=FLOW_OPEN)
    return qs.values(u=F("unit_id"), d=F("arrived_on"), c=F("document__confidentiality")).annotate(
        in_total=Count("pk"),
        in_electronic=Count("pk", filter=Q(origin=ArrivalOrigin.ELECTRONIC)),
        in_unassigned=Count("pk", filter=Q(r_status__isnull=True)),
        in_on_time=Count("pk", filter=done & (Q(r_deadline__isnull=True) | Q(r_done__lte=F("r_deadline")))),
        in_late=Count("pk", filter=done & Q(r_done__gt=F("r_deadline"))),
        in_open=Count("pk", filter=is_open & (Q(r_deadline__isnull=True) | Q(r_deadline__gte=today))),
        in_overdue=Count("pk", filter=is_open & Q(r_deadline__lt=today)),
        in_exchanged=Count("pk", filter=Q(delivery__channel=Channel.GATEWAY)),
    )


def _done_days(unit_ids: Collection[int] | None, days: Collection[datetime.date] | None) -> Iterable[dict[str, Any]]:
    """in_done_days: grouped by arrival and completion day, so the working days of each pair are counted once in
    Python (the holiday calendar is not in the database)."""
    qs = _entries(unit_ids, days).filter(r_status=FlowStatus.COMPLETED, r_done__isnull=False)
    rows = qs.values(u=F("unit_id"), d=F("arrived_on"), c=F("document__confidentiality"), done=F("r_done")).annotate(
        n=Count("pk"))
    for row in rows:
        yield {**row, "in_done_days": row["n"] * max(0, working_days_between(row["d"], row["done"]))}


def _outgoing(unit_ids: Collection[int] | None, days: Collection[datetime.date] | None) -> QuerySet:
    qs = _scoped(Document.objects.filter(status=DocumentStatus.ISSUED, issuing_unit__isnull=False,
                                         issued_on__isnull=False), "issuing_unit_id", "issued_on", unit_ids, days)
    # the copies joined once (LEFT JOIN, a row per copy) and documents counted distinct: at 10M copies an EXISTS
    # per figure and per document was several index probes a row (decision 0046). Electronic = sent and not on
    # paper = sent - paper (a paper copy is a copy).
    # signed() as two uncorrelated sets of document ids (hashed once), the same rule
    org_signed = Signature.objects.filter(organization=True, withdrawn_at__isnull=True).values("draft__document_id")
    file_signed = DocumentFile.objects.filter(
        blob_id__in=SignatureCheck.objects.filter(outcome=CheckOutcome.VALID).values("blob_id")).values("document_id")
    paper = Count("pk", distinct=True, filter=Q(deliveries__channel=Channel.PAPER))
    return qs.values(u=F("issuing_unit_id"), d=F("issued_on"), c=F("confidentiality")).annotate(
        out_total=Count("pk", distinct=True),
        out_electronic=Count("pk", distinct=True, filter=Q(deliveries__isnull=False)) - paper,
        out_exchanged=Count("pk", distinct=True, filter=Q(deliveries__channel=Channel.GATEWAY)),
        out_paper=paper,
        out_signed=Count("pk", distinct=True, filter=Q(pk__in=org_signed) | Q(pk__in=file_signed)),
    )


def _tasks(unit_ids: Collection[int] | None, days: Collection[datetime.date] | None, today: datetime.date) -> QuerySet:
    qs = _scoped(Task.objects.all(), "executing_unit_id", "start_date", unit_ids, days)
    qs = qs.annotate(finished=Coalesce(TruncDate("completed_at"), TruncDate("status_at")))
    ended = Q(status__in=TASK_ENDED)
    is_open = Q(status__in=TASK_OPEN)
    return qs.values(u=F("executing_unit_id"), d=F("start_date")).annotate(
        tasks_given=Count("pk"),
        tasks_on_time=Count("pk", filter=ended & Q(finished__lte=F("deadline"))),
        tasks_late=Count("pk", filter=ended & Q(finished__gt=F("deadline"))),
        tasks_open=Count("pk", filter=is_open & Q(deadline__gte=today)),
        tasks_overdue=Count("pk", filter=is_open & Q(deadline__lt=today)),
        tasks_extended=Count("pk", filter=Q(extensions__gt=0)),
    )


def compute(*, unit_ids: Collection[int] | None, days: Collection[datetime.date] | None,
            today: datetime.date) -> dict[Cell, dict[str, int]]:
    """The figures of every (unit, day, confidentiality) cell in scope that counts something, from the raw tables."""
    cells: dict[Cell, dict[str, int]] = {}
    sources: list[tuple[Iterable[dict[str, Any]], tuple[str, ...]]] = [
        (_incoming(unit_ids, days, today), INCOMING), (_done_days(unit_ids, days), DONE_DAYS),
        (_outgoing(unit_ids, days), OUTGOING), (_tasks(unit_ids, days, today), TASKS)]
    for rows, names in sources:
        for row in rows:
            cell = cells.setdefault((row["u"], row["d"], row.get("c", 0)), dict.fromkeys(FIGURES, 0))
            for name in names:
                cell[name] += row[name]
    return cells


CALENDAR = "reports_working_day"  # a temporary table: day -> working days since the first day (decision 0046)


def _calendar(cursor: Any, unit_ids: Collection[int] | None, days: Collection[datetime.date] | None,
              today: datetime.date) -> None:
    """Fill the temporary calendar covering every arrival in scope and every completion: working_days_between(a, b)
    is then index(b) - index(a), a join instead of a loop per row (the holidays are processing.calendar's)."""
    entries = _scoped(IncomingEntry.objects.all(), "unit_id", "arrived_on", unit_ids, days)
    first = entries.aggregate(m=Min("arrived_on"))["m"]
    last_done = Flow.objects.filter(parent__isnull=True, status=FlowStatus.COMPLETED).aggregate(
        m=Max("completed_at"))["m"]
    cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {CALENDAR} (day date PRIMARY KEY, idx integer NOT NULL)")
    cursor.execute(f"DELETE FROM {CALENDAR}")
    if first is None:
        return
    last = max(today, timezone.localdate(last_done) if last_done else today) + datetime.timedelta(days=1)
    rows, index, day = [], 0, first - datetime.timedelta(days=1)
    while day <= last:
        index += is_working_day(day)
        rows.append((day, index))
        day += datetime.timedelta(days=1)
    cursor.executemany(f"INSERT INTO {CALENDAR} (day, idx) VALUES (%s, %s)", rows)


def _select(qs: QuerySet, names: tuple[str, ...], with_c: bool = True) -> tuple[str, list[Any]]:
    """The grouped query ``qs`` as SQL, its figures placed in FIGURES' order (zero for the others)."""
    sql, params = qs.query.sql_with_params()
    cols = ", ".join(f"q.{n}" if n in names else f"0 AS {n}" for n in FIGURES)
    return f"SELECT q.u, q.d, {'q.c' if with_c else '0'} AS c, {cols} FROM ({sql}) q", list(params)


def store(*, unit_ids: Collection[int] | None, days: Collection[datetime.date] | None, today: datetime.date) -> int:
    """Insert the cells of ``unit_ids`` x ``days`` (stored ones deleted first by the caller) in ONE statement:
    ``INSERT ... SELECT ... GROUP BY`` over the grouped queries of ``compute``, so millions of rows never pass
    through Python. Returns the number of cells written."""
    parts = [_select(_incoming(unit_ids, days, today), INCOMING), _select(_outgoing(unit_ids, days), OUTGOING),
             _select(_tasks(unit_ids, days, today), TASKS, with_c=False)]
    pairs = (_entries(unit_ids, days).filter(r_status=FlowStatus.COMPLETED, r_done__isnull=False)
             .values(u=F("unit_id"), d=F("arrived_on"), c=F("document__confidentiality"), done=F("r_done"))
             .annotate(n=Count("pk")))
    pairs_sql, pairs_params = pairs.query.sql_with_params()
    cols = ", ".join("SUM(q.n * CASE WHEN b.idx > a.idx THEN b.idx - a.idx ELSE 0 END) AS in_done_days"
                     if n == "in_done_days" else f"0 AS {n}" for n in FIGURES)
    parts.append((f"SELECT q.u, q.d, q.c, {cols} FROM ({pairs_sql}) q JOIN {CALENDAR} a ON a.day = q.d "
                  f"JOIN {CALENDAR} b ON b.day = q.done GROUP BY q.u, q.d, q.c", list(pairs_params)))
    union = " UNION ALL ".join(sql for sql, _params in parts)
    params = [p for _sql, ps in parts for p in ps]
    sums = ", ".join(f"SUM(x.{n})" for n in FIGURES)
    with connection.cursor() as cursor:
        if unit_ids is None and connection.vendor == "postgresql":
            # a full refresh groups millions of rows: hash them in memory, for this transaction only
            cursor.execute("SET LOCAL work_mem = '256MB'")
        _calendar(cursor, unit_ids, days, today)
        cursor.execute(f"INSERT INTO {DailyFigure._meta.db_table} (unit_id, day, confidentiality, "
                       f"{', '.join(FIGURES)}) SELECT x.u, x.d, x.c, {sums} FROM ({union}) x "
                       f"GROUP BY x.u, x.d, x.c", params)
        return cursor.rowcount


@transaction.atomic
def refresh(*, unit_ids: Collection[int] | None, days: Collection[datetime.date] | None,
            today: datetime.date | None = None) -> int:
    """Recompute exactly the cells of ``unit_ids`` x ``days`` (None: all units, all days) from the raw tables,
    replacing what was stored, then the subtree totals above them. Returns the number of cells written."""
    today = today or timezone.localdate()
    touched = set(days) if days is not None else None
    if touched is None and unit_ids is not None:
        # every day of some units: their ancestors' subtree rows change on the days they had or now have figures
        touched = set(DailyFigure.objects.filter(unit_id__in=unit_ids).values_list("day", flat=True).distinct())
    _scoped(DailyFigure.objects.all(), "unit_id", "day", unit_ids, days).delete()
    written = store(unit_ids=unit_ids, days=days, today=today)
    if touched is not None and days is None and unit_ids is not None:
        touched.update(DailyFigure.objects.filter(unit_id__in=unit_ids).values_list("day", flat=True).distinct())
    rollups.rebuild(unit_ids=unit_ids, days=touched)  # the subtree totals above them (decision 0046)
    return written


def _crossing(since: datetime.date, today: datetime.date) -> set[tuple[int, datetime.date]]:
    """(unit, day) cells holding open work whose deadline passed since ``since``: open within deadline yesterday,
    past deadline today, with no write to say so."""
    window = {"deadline__gte": since, "deadline__lt": today}
    flows = Flow.objects.filter(parent__isnull=True, status__in=FLOW_OPEN, **window)
    keys = set(flows.values_list("entry__unit_id", "entry__arrived_on").distinct())
    keys.update(Task.objects.filter(status__in=TASK_OPEN, **window)
                .values_list("executing_unit_id", "start_date").distinct())
    return keys


@transaction.atomic
def refresh_changed(today: datetime.date | None = None) -> dict[str, int]:
    """The job: recompute what changed since the last run. The first run recomputes everything. Then: the cells the
    saves marked, every day of the units a reorganization moved work between (its set-based updates fire no
    signals, but leave traces), and the cells whose open work went past its deadline since the last run."""
    today = today or timezone.localdate()
    state, _created = RefreshState.objects.select_for_update().get_or_create(pk=1)
    last_trace = ReassignmentTrace.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    marks = list(DirtyMark.objects.values_list("pk", "unit_id", "day"))
    counts = {"marks": len(marks), "cells": 0, "units_whole": 0}
    if state.as_of is None:
        counts["cells"] = refresh(unit_ids=None, days=None, today=today)
    else:
        whole = {u for _pk, u, d in marks if d is None}
        moved = ReassignmentTrace.objects.filter(pk__gt=state.last_trace_id, pk__lte=last_trace)
        whole.update(moved.values_list("old_unit_id", flat=True).distinct())
        whole.update(moved.values_list("new_unit_id", flat=True).distinct())
        # open work is "within" or "past" deadline as of a day: a cell changes class only where a deadline fell
        # between the last run's day and today
        pairs = {(u, d) for _pk, u, d in marks if d is not None} | _crossing(state.as_of, today)
        pairs = {(u, d) for u, d in pairs if u not in whole}
        if whole:
            counts["cells"] += refresh(unit_ids=whole, days=None, today=today)
        counts["units_whole"] = len(whole)
        by_day: dict[datetime.date, set[int]] = {}
        for u, d in pairs:
            by_day.setdefault(d, set()).add(u)
        # cells grouped by their set of units: one refresh per distinct set (usually one per day with marks)
        groups: dict[frozenset[int], set[datetime.date]] = {}
        for d, units in by_day.items():
            groups.setdefault(frozenset(units), set()).add(d)
        for group_units, group_days in groups.items():
            counts["cells"] += refresh(unit_ids=group_units, days=group_days, today=today)
    digest = rollups.tree_digest()
    if state.as_of is not None and digest != state.tree_digest:
        # a subtree moved (or a unit came or went): its old and new ancestors' totals change with no daily row
        # changing; sum every subtree again (decision 0046)
        counts["subtree_rows"] = rollups.rebuild(unit_ids=None, days=None)
    state.tree_digest = digest
    ids = [pk for pk, _u, _d in marks]
    for i in range(0, len(ids), 2000):
        DirtyMark.objects.filter(pk__in=ids[i:i + 2000]).delete()
    state.as_of, state.last_trace_id, state.refreshed_at = today, last_trace, timezone.now()
    state.save()
    return counts
