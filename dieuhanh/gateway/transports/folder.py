"""Folder drop, for air-gapped transfer: the sender writes ``<package id>.<kind>`` atomically into the out folder
(the route's path); the receiver reads an in folder, hands each file to its receiver once (inbox row) and moves
it to done/ or to failed/ beside a ``.reason.txt`` saying why."""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

from ..hooks import NoReceiver, deliver
from ..models import Arrival, OutboxItem
from . import SendError

log = logging.getLogger(__name__)
SOURCE = "folder"


def folder_of(url: str) -> Path:
    return Path(unquote(urlparse(url).path))


def file_name(package_id: str, kind: str) -> str:
    """Reversible and safe on any file system: every character but letters, digits and ``_.-~`` is %-escaped."""
    return f"{quote(package_id, safe='')}.{quote(kind, safe='')}"


class FolderTransport:
    def send(self, item: OutboxItem, url: str) -> None:
        folder = folder_of(url)
        final = folder / file_name(item.package_id, item.kind)
        tmp = folder / f".{final.name}.{os.getpid()}.tmp"  # readers skip dot files: never see half a package
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as handle:
                handle.write(bytes(item.payload))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, final)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            raise SendError(f"folder {folder}: {exc.strerror or exc}") from exc


def _move(path: Path, folder: Path, reason: str = "") -> None:
    folder.mkdir(exist_ok=True)
    if reason:
        (folder / f"{path.name}.reason.txt").write_text(reason + "\n", encoding="utf-8")
    os.replace(path, folder / path.name)


def read_folder(folder: Path, *, limit: int = 1000) -> dict[str, int]:
    """Hand each package file of ``folder`` to its receiver (exactly once: a file seen again after a crash is a
    duplicate in the inbox) and move it to done/ or failed/."""
    counts = {"received": 0, "duplicates": 0, "refused": 0}
    if not folder.is_dir():
        return counts
    names = sorted(e.name for e in os.scandir(folder) if e.is_file() and not e.name.startswith("."))
    for name in names[:limit]:
        path = folder / name
        stem, dot, kind = name.rpartition(".")
        if not dot or not stem:
            _move(path, folder / "failed", "the file name is not <package id>.<kind>")
            counts["refused"] += 1
            continue
        arrival = Arrival(package_id=unquote(stem), source=SOURCE, transport="folder", kind=unquote(kind))
        try:
            fresh = deliver(payload=path.read_bytes(), arrival=arrival)
        except NoReceiver:
            _move(path, folder / "failed", f"no receiver for packages of kind {arrival.kind!r}")
            counts["refused"] += 1
            continue
        except Exception as exc:  # the receiver's reason, kept beside the file
            log.warning("gateway: %s refused: %s", path, exc)
            _move(path, folder / "failed", str(exc) or exc.__class__.__name__)
            counts["refused"] += 1
            continue
        _move(path, folder / "done")
        counts["received" if fresh else "duplicates"] += 1
    return counts
