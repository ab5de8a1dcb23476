"""Writes of the intake channels (issue 17, decision 0050): poll the official mailboxes and watched folders, and
let a clerk retry an item that could not be read.

Each message or file is taken in in ONE transaction: the :class:`IntakeItem` row and what
``exchange.services.receive_package`` / ``receive_files`` made of it (deliveries awaiting receipt) commit together.
Only after the commit is the message flagged (``\\Seen`` and the keyword ``DieuhanhDone``) or the file moved to
``done/`` or ``failed/``. A worker killed between the two finds the item by its UID or path and only finishes the
marking; a second copy (same Message-ID or the same bytes) is recorded as a duplicate and delivers nothing."""

from __future__ import annotations

import hashlib
import imaplib
import os
import shutil
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.accounts.models import User
from dieuhanh.accounts.policy import require
from dieuhanh.audit.services import record
from dieuhanh.documents import storage
from dieuhanh.exchange import services as exchange
from dieuhanh.exchange.models import PackageSource, PackageState, ReceivedPackage
from dieuhanh.kernel.text import nfc
from dieuhanh.units.models import Unit

from . import mime, policy
from .models import IntakeItem, ItemState, Source, SourceKind

DONE_KEYWORD = "DieuhanhDone"
SKIP_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial", "~")
MAX_BYTES = 50 * 1024 * 1024


class MailboxError(Exception):
    pass


# ------------------------------------------------------------------------------------------ taking one item in


def _deliver(*, source: Source, unit_code: str, subject: str, sender: str, ref: str,
             packages: list[tuple[str, bytes]], others: list[tuple[str, bytes]]) -> tuple[str, str, list[Any]]:
    """Hand the content to the exchange. Returns (state, reason, received packages); raises nothing for bad
    content. Several parts of which one is refused write nothing (the item is unreadable, its raw bytes kept)."""
    channel = PackageSource.MAIL if source.kind == SourceKind.MAILBOX else PackageSource.FOLDER
    results: list[ReceivedPackage] = []
    calls = len(packages) + (1 if others else 0)
    try:
        with transaction.atomic():
            for name, data in packages:
                results.append(exchange.receive_package(data=data, source=channel, source_ref=f"{ref} {name}"))
            if others:
                results.append(exchange.receive_files(unit_code=unit_code, subject=subject, sender=sender,
                                                      files=others, source=channel, source_ref=ref))
            refused = [p for p in results if p.state == PackageState.REFUSED]
            if refused and calls > 1:
                raise _RollBack(refused[0])
    except _RollBack as exc:
        return ItemState.UNREADABLE, _reason(exc.package), []
    except ValidationError as exc:
        return ItemState.UNREADABLE, " ".join(exc.messages), []
    refused = [p for p in results if p.state == PackageState.REFUSED]
    if refused:
        return ItemState.UNREADABLE, _reason(refused[0]), results
    if results and all(p.state == PackageState.DUPLICATE for p in results):
        return ItemState.DUPLICATE, _("already received (%(ref)s)") % {
            "ref": results[0].duplicate_of_id and f"#{results[0].duplicate_of_id}" or ref}, results
    return ItemState.DONE, "", results


class _RollBack(Exception):
    def __init__(self, package: ReceivedPackage) -> None:
        super().__init__(package.reason)
        self.package = package


def _reason(package: ReceivedPackage) -> str:
    return f"{package.reason_field}: {package.reason}" if package.reason_field else package.reason


def _unit(code: str) -> Unit | None:
    return Unit.objects.filter(code=code).first() if code else None


def _content(source: Source, ref: str, raw: bytes, unit_code: str) -> dict[str, Any]:
    """What a message or file carries, or raises :class:`mime.Unreadable`."""
    if source.kind == SourceKind.MAILBOX:
        mail = mime.parse(raw)
        others = mail.others
        if not mail.files and mail.body.strip():
            others = [((mail.subject or "thu")[:80] + ".txt", mail.body.encode())]
        if not mail.files and not mail.body.strip():
            raise mime.Unreadable(_("the message carries neither a file nor a text"))
        return {"subject": mail.subject, "sender": mail.sender, "packages": mail.packages, "others": others}
    name = Path(ref).name
    if not raw:
        raise mime.Unreadable(_("the file is empty"))
    if name.lower().endswith(".edxml"):
        return {"subject": "", "sender": "", "packages": [(name, raw)], "others": []}
    return {"subject": nfc(Path(name).stem), "sender": source.name, "packages": [], "others": [(name, raw)]}


def _fill(item: IntakeItem, raw: bytes) -> None:
    """Process ``item`` (unsaved or queued) from ``raw`` and save it, inside the caller's transaction."""
    state: str
    reason: str
    packages: list[Any]
    try:
        content = _content(item.source, item.ref, raw, item.unit_code)
    except mime.Unreadable as exc:
        state, reason, packages = ItemState.UNREADABLE, exc.reason, []
    else:
        item.subject = content["subject"][:2000] or item.subject
        item.sender = content["sender"][:255] or item.sender
        state, reason, packages = _deliver(source=item.source, unit_code=item.unit_code, subject=item.subject,
                                           sender=item.sender, ref=item.ref, packages=content["packages"],
                                           others=content["others"])
    item.state, item.reason = state, reason[:2000]
    if state == ItemState.UNREADABLE and raw and item.raw_id is None:
        item.raw = exchange.store_bytes(actor=exchange.system_actor(), data=raw, name="intake.raw",
                                        declared_type="application/octet-stream")
    item.save()
    if packages:
        item.packages.add(*packages)
    record(actor=exchange.system_actor(), action=f"intake.{state}", obj=item, unit=item.unit,
           data={"ref": item.ref, "sha256": item.sha256, "reason": item.reason})


def _take(source: Source, *, ref: str, raw: bytes, unit_code: str, uidvalidity: int | None = None,
          uid: int | None = None) -> IntakeItem:
    """Take one message or file in (idempotent): the item already recorded for it, or a new one."""
    sha = hashlib.sha256(raw).hexdigest()
    ref = nfc(ref)[:500]
    if uid is not None:
        seen = IntakeItem.objects.filter(source=source, uidvalidity=uidvalidity, uid=uid).first()
    else:
        seen = IntakeItem.objects.filter(source=source, ref=ref, sha256=sha).order_by("id").first()
    if seen is not None:
        return seen  # processed before a crash or restart: only the marking is left
    item = IntakeItem(source=source, ref=ref, sha256=sha, size=len(raw), uidvalidity=uidvalidity, uid=uid,
                      unit_code=unit_code[:50], unit=_unit(unit_code))
    try:
        with transaction.atomic():
            if uid is not None:
                Source.objects.filter(pk=source.pk, last_uid__lt=uid).update(last_uid=uid, uidvalidity=uidvalidity)
            earlier = IntakeItem.objects.filter(source=source, sha256=sha, state__in=[
                ItemState.DONE, ItemState.QUEUED]).first()
            if earlier is None and uid is not None:
                earlier = IntakeItem.objects.filter(source=source, ref=ref, uid__isnull=False).exclude(
                    state=ItemState.DUPLICATE).first()
            if earlier is not None:
                item.state, item.duplicate_of = ItemState.DUPLICATE, earlier
                item.reason = _("already received as item #%(id)s") % {"id": earlier.pk}
                item.subject, item.sender = earlier.subject, earlier.sender
                item.save()
                record(actor=exchange.system_actor(), action="intake.duplicate", obj=item, unit=item.unit,
                       data={"ref": ref, "sha256": sha, "of": earlier.pk})
                return item
            _fill(item, raw)
            return item
    except IntegrityError:
        # a concurrent worker took the same message in first
        again = IntakeItem.objects.filter(source=source, sha256=sha).exclude(state=ItemState.DUPLICATE).first()
        if again is None:
            raise
        return again


# ---------------------------------------------------------------------------------------------------- mailbox


def mailbox_settings(source: Source) -> dict[str, Any]:
    boxes = getattr(settings, "DIEUHANH_INTAKE_MAILBOXES", {}) or {}
    conf = boxes.get(source.settings_key)
    if not conf or not conf.get("host"):
        raise MailboxError(_("no mailbox named %(key)s in the settings") % {"key": source.settings_key})
    return conf


def connect(conf: dict[str, Any]) -> imaplib.IMAP4:
    host, ssl = conf["host"], bool(conf.get("ssl"))
    port = int(conf.get("port") or (993 if ssl else 143))
    timeout = float(conf.get("timeout") or 30)
    conn = imaplib.IMAP4_SSL(host, port, timeout=timeout) if ssl else imaplib.IMAP4(host, port, timeout=timeout)
    conn.login(conf["user"], conf["password"])
    return conn


def mark_processed(conn: imaplib.IMAP4, uid: int) -> None:
    """After the commit: the message will not be fetched again (the database would skip it anyway)."""
    conn.uid("STORE", str(uid), "+FLAGS", f"(\\Seen {DONE_KEYWORD})")


def _uids(conn: imaplib.IMAP4) -> list[int]:
    status, data = conn.uid("SEARCH", "UNKEYWORD", DONE_KEYWORD)
    if status != "OK":
        raise MailboxError(f"SEARCH: {data!r}")
    return sorted(int(u) for u in (data[0] or b"").split())


def poll_mailbox(source: Source) -> list[IntakeItem]:
    conf = mailbox_settings(source)
    conn = connect(conf)
    items = []
    try:
        status, data = conn.select(conf.get("folder") or "INBOX")
        if status != "OK":
            raise MailboxError(f"SELECT: {data!r}")
        validity = int(conn.response("UIDVALIDITY")[1][0])
        if source.uidvalidity != validity:
            # the folder was recreated: UIDs start over; Message-ID and hash still recognise what was taken in
            Source.objects.filter(pk=source.pk).update(uidvalidity=validity, last_uid=0)
            source.uidvalidity, source.last_uid = validity, 0
        unit_code = source.unit.code if source.unit is not None else ""
        for uid in _uids(conn):  # not "UID > last_uid": one taken in but not yet flagged is flagged now
            status, parts = conn.uid("FETCH", str(uid), "(BODY.PEEK[])")
            raw = next((p[1] for p in parts if isinstance(p, tuple)), None)
            if status != "OK" or raw is None:
                continue  # expunged meanwhile
            if len(raw) > MAX_BYTES:
                raw = raw[:0]
            ref = mime.message_id(raw) if raw else f"uid:{validity}:{uid}"
            item = _take(source, ref=ref, raw=raw, unit_code=unit_code, uidvalidity=validity, uid=uid)
            mark_processed(conn, uid)
            items.append(item)
    finally:
        try:
            conn.logout()
        except (imaplib.IMAP4.error, OSError):
            pass
    return items


# -------------------------------------------------------------------------------------------- watched folder


def _settle_seconds() -> float:
    return float(getattr(settings, "DIEUHANH_INTAKE_SETTLE_SECONDS", 10))


def move_file(root: Path, path: Path, sub: str, item: IntakeItem) -> str:
    target = root / sub / path.relative_to(root)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target = target.with_name(f"{item.pk}-{target.name}")
    shutil.move(str(path), str(target))
    return str(target.relative_to(root))


def stable_files(root: Path, now: float | None = None) -> list[Path]:
    """Files in ``root`` (and its unit sub-folders) old enough to be complete; partial ones wait."""
    now = time.time() if now is None else now
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        if here == root:
            dirnames[:] = [d for d in dirnames if d not in ("done", "failed") and not d.startswith(".")]
        for name in sorted(filenames):
            path = here / name
            if name.startswith(".") or name.lower().endswith(SKIP_SUFFIXES):
                continue
            try:
                st = path.stat()
            except OSError:
                continue
            if now - st.st_mtime < _settle_seconds():
                continue  # still being written (or just finished): next round
            found.append(path)
    return sorted(found)


def poll_folder(source: Source) -> list[IntakeItem]:
    root = Path(source.path)
    if not root.is_dir():
        raise MailboxError(_("the folder %(path)s does not exist") % {"path": source.path})
    items = []
    for path in stable_files(root):
        rel = path.relative_to(root)
        unit_code = source.unit.code if source.unit is not None else (rel.parts[0] if len(rel.parts) > 1 else "")
        size = path.stat().st_size
        raw = path.read_bytes() if size <= MAX_BYTES else b""
        item = _take(source, ref=str(rel), raw=raw, unit_code=unit_code)
        moved = move_file(root, path, "failed" if item.state == ItemState.UNREADABLE else "done", item)
        IntakeItem.objects.filter(pk=item.pk).update(moved_to=moved[:500])
        items.append(item)
    return items


# --------------------------------------------------------------------------------------------------- polling


def poll_all() -> dict[str, int]:
    """Every active source once (the periodic job). A failing source records its error and the others go on."""
    counts: dict[str, int] = {}
    for source in Source.objects.filter(active=True).select_related("unit"):
        try:
            items = poll_mailbox(source) if source.kind == SourceKind.MAILBOX else poll_folder(source)
            error = ""
        except (MailboxError, imaplib.IMAP4.error, OSError) as exc:
            items, error = [], str(exc)[:2000]
        Source.objects.filter(pk=source.pk).update(last_polled_at=timezone.now(), last_error=error)
        for item in items:
            counts[item.state] = counts.get(item.state, 0) + 1
    return counts


# ------------------------------------------------------------------------------------------------------ retry


def retry_item(*, actor: User, item: IntakeItem) -> IntakeItem:
    """A clerk asks for an unreadable item to be taken in again (after the unit was created, say)."""
    with transaction.atomic():
        item = IntakeItem.objects.select_for_update().select_related("source").get(pk=item.pk)
        require(policy.can_retry(actor, item))
        if item.state != ItemState.UNREADABLE:
            raise ValidationError({"state": _("Only an unreadable item can be retried.")})
        if item.raw_id is None:
            raise ValidationError({"state": _("Nothing was kept of this item: ask the sender to send it again.")})
        item.state = ItemState.QUEUED
        item.save(update_fields=["state", "updated_at"])
        record(actor=actor, action="intake.retry", obj=item, unit=item.unit, data={"ref": item.ref})
        transaction.on_commit(lambda: _enqueue_retry(item.pk))
    return item


def _enqueue_retry(item_id: int) -> None:
    from dieuhanh.intake import jobs  # jobs imports this module: import at call time

    jobs.retry_item_job(item_id)


def reprocess(item_id: int) -> IntakeItem | None:
    """Take a queued item in again from its kept bytes (the retry job)."""
    with transaction.atomic():
        item = IntakeItem.objects.select_for_update(of=("self",)).select_related("source", "raw").filter(
            pk=item_id, state=ItemState.QUEUED).first()
        if item is None:
            return None
        raw = storage.read_plain(item.raw) if item.raw_id else b""
        item.unit = _unit(item.unit_code)
        item.attempts += 1
        _fill(item, raw)
        return item
