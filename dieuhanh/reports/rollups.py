"""Subtree rollups (decision 0046): per unit, the totals of its whole subtree per day and per month, summed from the
per-unit daily rollups (``DailyFigure``) in set-based SQL, one ``INSERT ... SELECT ... GROUP BY`` per tree level.

A unit's subtree rows change when a daily row of any unit below it changes, or when a unit moves in the tree. The
refresh passes the units and days it rewrote; their ancestors' rows for those days and months are summed again.
A moved subtree changes the digest of the tree's paths; everything is then summed again (rare, minutes at scale).
"""

import datetime
import hashlib
from collections.abc import Collection, Iterable, Iterator
from typing import Any

from django.db import connection
from django.db.models import Max
from django.db.models.functions import Length

from dieuhanh.units.models import STEP_WIDTH, Unit

from .models import FIGURE_COLUMNS, DailyFigure, Grain, SubtreeFigure

CHUNK = 500


def _chunks(items: Iterable[Any]) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def tree_digest() -> str:
    """A digest of every unit's (id, path): it changes when a subtree moves (or a unit appears or goes)."""
    digest = hashlib.sha256()
    for pk, path in Unit.objects.order_by("pk").values_list("pk", "path").iterator(chunk_size=5000):
        digest.update(f"{pk}:{path};".encode())
    return digest.hexdigest()


def ancestors(unit_ids: Collection[int]) -> set[int]:
    """The units and every unit above them."""
    prefixes: set[str] = set()
    for path in Unit.objects.filter(pk__in=unit_ids).values_list("path", flat=True):
        prefixes.update(path[:i] for i in range(STEP_WIDTH, len(path) + 1, STEP_WIDTH))
    found: set[int] = set()
    for batch in _chunks(sorted(prefixes)):
        found.update(Unit.objects.filter(path__in=batch).values_list("pk", flat=True))
    return found


def _month_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def _in(column: str, values: Collection[Any]) -> tuple[str, list[Any]]:
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def _sum_days(units: Collection[int] | None, days: Collection[datetime.date] | None) -> int:
    """Insert the day rows of ``units`` (None: all) for ``days`` (None: all), one statement per tree level: every
    daily row joined to its ancestor at that level by the path prefix."""
    cols = ", ".join(FIGURE_COLUMNS)
    sums = ", ".join(f"SUM(f.{c})" for c in FIGURE_COLUMNS)
    deepest = Unit.objects.aggregate(m=Max(Length("path")))["m"] or 0
    written = 0
    day_batches: list[list[datetime.date] | None] = list(_chunks(sorted(days))) if days is not None else [None]
    unit_batches: list[list[int] | None] = list(_chunks(sorted(units))) if units is not None else [None]
    with connection.cursor() as cursor:
        for level in range(STEP_WIDTH, deepest + 1, STEP_WIDTH):
            for unit_batch in unit_batches:
                for day_batch in day_batches:
                    where, params = ["LENGTH(u.path) >= %s"], [level]
                    if unit_batch is not None:
                        clause, values = _in("a.id", unit_batch)
                        where.append(clause)
                        params += values
                    if day_batch is not None:
                        clause, values = _in("f.day", day_batch)
                        where.append(clause)
                        params += values
                    cursor.execute(
                        f"INSERT INTO {SubtreeFigure._meta.db_table} (unit_id, grain, day, confidentiality, {cols}) "
                        f"SELECT a.id, '{Grain.DAY}', f.day, f.confidentiality, {sums} "
                        f"FROM {DailyFigure._meta.db_table} f JOIN {Unit._meta.db_table} u ON u.id = f.unit_id "
                        f"JOIN {Unit._meta.db_table} a ON a.path = SUBSTR(u.path, 1, %s) "
                        f"WHERE {' AND '.join(where)} GROUP BY a.id, f.day, f.confidentiality",
                        [level, *params])
                    written += max(cursor.rowcount, 0)
    return written


def _sum_months(units: Collection[int] | None, months: Collection[datetime.date] | None) -> int:
    """Insert the month rows of ``units`` for ``months`` from their day rows."""
    cols = ", ".join(FIGURE_COLUMNS)
    sums = ", ".join(f"SUM(s.{c})" for c in FIGURE_COLUMNS)
    table = SubtreeFigure._meta.db_table
    month = _month_sql("s.day")
    written = 0
    unit_batches: list[list[int] | None] = list(_chunks(sorted(units))) if units is not None else [None]
    month_batches: list[list[datetime.date] | None] = (
        list(_chunks(sorted(months))) if months is not None else [None])
    with connection.cursor() as cursor:
        for unit_batch in unit_batches:
            for month_batch in month_batches:
                where, params = [f"s.grain = '{Grain.DAY}'"], []
                if unit_batch is not None:
                    clause, values = _in("s.unit_id", unit_batch)
                    where.append(clause)
                    params += values
                if month_batch is not None:
                    where.append("(" + " OR ".join(["(s.day >= %s AND s.day < %s)"] * len(month_batch)) + ")")
                    for m in month_batch:
                        params += [m, next_month(m)]
                cursor.execute(
                    f"INSERT INTO {table} (unit_id, grain, day, confidentiality, {cols}) "
                    f"SELECT s.unit_id, '{Grain.MONTH}', {month}, s.confidentiality, {sums} FROM {table} s "
                    f"WHERE {' AND '.join(where)} GROUP BY s.unit_id, {month}, s.confidentiality", params)
                written += max(cursor.rowcount, 0)
    return written


def rebuild(*, unit_ids: Collection[int] | None, days: Collection[datetime.date] | None) -> int:
    """Sum again the subtree rows that depend on the daily rows of ``unit_ids`` x ``days`` (None: all): those of
    the units and all their ancestors, for those days and the months holding them. Returns the rows written."""
    units = ancestors(unit_ids) if unit_ids is not None else None
    if units is not None and not units:
        return 0
    if days is not None and not days:
        return 0
    months = sorted({month_of(d) for d in days}) if days is not None else None
    if units is None and days is None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {SubtreeFigure._meta.db_table}")  # no foreign key: no pending checks
        else:
            SubtreeFigure.objects.all().delete()
    else:
        stale = SubtreeFigure.objects.all()
        if units is not None:
            stale = stale.filter(unit_id__in=units) if len(units) <= CHUNK else stale
        for day_batch in _chunks(sorted(days)) if days is not None else [None]:
            rows = stale.filter(grain=Grain.DAY)
            rows = rows.filter(day__in=day_batch) if day_batch is not None else rows
            _delete(rows, units)
        for month_batch in _chunks(months) if months is not None else [None]:
            rows = stale.filter(grain=Grain.MONTH)
            rows = rows.filter(day__in=month_batch) if month_batch is not None else rows
            _delete(rows, units)
    return _sum_days(units, days) + _sum_months(units, months)


def _delete(rows: Any, units: set[int] | None) -> None:
    if units is None or len(units) <= CHUNK:
        rows.delete()
        return
    for batch in _chunks(sorted(units)):
        rows.filter(unit_id__in=batch).delete()
