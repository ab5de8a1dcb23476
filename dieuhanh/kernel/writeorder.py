"""Index writes last (decision 0038): the rows many actions share, such as a document's search row, are written at
the end of an action, still inside its transaction, after every domain row it locks.

An action opens :func:`index_last` inside its ``transaction.atomic`` block. Code that would write a shared row
(a save signal) hands the write to :func:`later` instead; the writes run once each when the block ends, in key
order (rows of one table in primary-key order), or earlier through :func:`flush` (the audit record calls it, so
the audit chain's head stays the very last lock). Outside such a block :func:`later` declines and the caller
writes at once, as before.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

Key = tuple[str, Any]

# One collector per thread of execution (a context variable: threads and async tasks each see their own).
_pending: ContextVar[dict[Key, Callable[[], object]] | None] = ContextVar("dieuhanh_index_last", default=None)


@contextmanager
def index_last() -> Iterator[None]:
    """Collect the writes handed to :func:`later` and run them when the block ends (nested blocks: the outermost
    one). A block left by an exception drops them: its transaction rolls back anyway."""
    if _pending.get() is not None:
        yield
        return
    token = _pending.set({})
    try:
        yield
        flush()
    finally:
        _pending.reset(token)


def later(key: Key, write: Callable[[], object]) -> bool:
    """Run ``write`` at the end of the open :func:`index_last` block, once per ``key``; False when no block is open
    (the caller writes at once)."""
    pending = _pending.get()
    if pending is None:
        return False
    pending[key] = write
    return True


def flush() -> int:
    """Run the collected writes now, in key order; a write may hand on further ones, which run too."""
    pending = _pending.get()
    done = 0
    while pending:
        key = min(pending)
        pending.pop(key)()
        done += 1
    return done
