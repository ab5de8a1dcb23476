"""The one writer every .xlsx export appends its rows through (decision 0032).

openpyxl refuses control characters in a cell (IllegalCharacterError), so a single bad subject stored once would
make a year's register unexportable; cells are sanitized here, whatever is stored."""

from collections.abc import Iterable

from .text import cell


def append(sheet, row: Iterable) -> None:
    """Append ``row`` to ``sheet`` (openpyxl, normal or write-only) with every text cell sanitized."""
    sheet.append([cell(value) for value in row])
