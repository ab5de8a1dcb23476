"""The one writer every .xlsx export appends its rows through (decision 0032).

openpyxl refuses control characters in a cell (IllegalCharacterError), so a single bad subject stored once would
make a year's register unexportable; cells are sanitized here, whatever is stored."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .text import cell

if TYPE_CHECKING:
    from typing import Any


def append(sheet: Any, row: Iterable) -> None:
    """Append ``row`` to ``sheet`` (openpyxl, normal or write-only) with every text cell sanitized."""
    sheet.append([cell(value) for value in row])
