"""The audit anchor: each chain's signed head and checkpoint count, appended to a file outside the database
(decision 0036).

Checkpoints live in the database, so someone who can write to it can delete a chain's tail together with the
checkpoints that signed it, and the chain and its remaining checkpoints agree again. Each time a checkpoint is
signed, one JSON line ``{"chain", "seq", "hash", "checkpoints", "at"}`` is appended here (opened in append mode and
fsynced); verify compares the database with the latest line of every chain, so that cut is reported.
"""

import json
import os
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings


def anchor_path() -> Path:
    return Path(getattr(settings, "DIEUHANH_AUDIT_ANCHOR_FILE", "") or Path(settings.VAR_DIR) / "audit-anchor.jsonl")


def append(lines: Iterable[dict]) -> None:
    """Append one JSON line per entry, and fsync before returning, so a signed head is on disk once reported."""
    lines = list(lines)
    if not lines:
        return
    path = anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = "".join(json.dumps(line, separators=(",", ":"), sort_keys=True) + "\n" for line in lines)
    # O_APPEND: every write lands at the end even with two writers; nothing here ever truncates or rewrites
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, payload.encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def latest() -> tuple[dict[int, dict], list[str]]:
    """The latest anchor line of each chain (by seq, then checkpoint count), and the problems found reading the
    file (an unreadable line is itself a sign of tampering, and is reported, not skipped silently)."""
    path = anchor_path()
    heads: dict[int, dict] = {}
    problems: list[str] = []
    if not path.exists():
        return heads, problems
    with path.open(encoding="utf-8") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                line = json.loads(raw)
                chain, seq, count = int(line["chain"]), int(line["seq"]), int(line["checkpoints"])
                str(line["hash"])
            except (ValueError, KeyError, TypeError):
                problems.append(f"line {number} of {path} is not an anchor line")
                continue
            known = heads.get(chain)
            if known is None or (seq, count) >= (int(known["seq"]), int(known["checkpoints"])):
                heads[chain] = line
    return heads, problems
