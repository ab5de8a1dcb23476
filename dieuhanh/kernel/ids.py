"""The one parser of ids (and other small whole numbers) that arrive in query strings and form fields.

``str.isdigit()`` is true for "²" and "①", which ``int()`` refuses (a 500), and ``int()`` itself reads "١٢" or "𝟙"
as 12 and 1; an id typed by a person or a client is ASCII digits, or it names nothing."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

# ids beyond a 64-bit integer name no row (and would overflow the database driver); the same limit
# IdOutOfRangeMiddleware answers with a 404 when such an id comes in a URL
MAX_ID = 2**63 - 1

_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_id(value: object) -> int | None:
    """``value`` as a non-negative int within the database's bigint range, else None (never an exception).

    Accepts an int or a text of ASCII digits (surrounding spaces ignored); refuses bools, signs, other digits."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= MAX_ID else None
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not _DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if number <= MAX_ID else None


def parse_ids(values: Any) -> list[int]:
    """The ids among ``values`` (e.g. ``request.POST.getlist("file")``), in order; what is no id is left out."""
    return [i for i in map(parse_id, values) if i is not None]

