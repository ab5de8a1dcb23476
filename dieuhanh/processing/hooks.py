"""What apps above ``processing`` add to its pages, so that ``processing`` never imports them (decision 0042).

- :func:`register_tracker_rows`: rows of another kind of work shown on the unit tracker (tasks: tasks by
  deadline, as ``task_rows``), computed for the tracked unit and period.
"""

import datetime
from collections.abc import Callable
from typing import Any

TrackerRows = Callable[[Any, datetime.date, datetime.date], list[dict]]

_tracker_rows: dict[str, TrackerRows] = {}


def register_tracker_rows(name: str, rows: TrackerRows) -> None:
    """``rows(unit, start, end)`` fills the tracker template's ``name``; one provider per name."""
    if _tracker_rows.get(name, rows) is not rows:
        raise RuntimeError(f"Tracker rows {name!r} are registered twice.")
    _tracker_rows[name] = rows


def tracker_rows(unit, start: datetime.date, end: datetime.date) -> dict[str, list[dict]]:
    """Every registered contribution to the tracker of ``unit`` over ``start``..``end``, by template name."""
    return {name: rows(unit, start, end) for name, rows in _tracker_rows.items()}


def tracker_providers() -> dict[str, TrackerRows]:
    return dict(_tracker_rows)
