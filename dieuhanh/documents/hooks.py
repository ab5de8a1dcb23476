"""What apps above ``documents`` plug into it, so that ``documents`` never imports them (decision 0042).

``documents`` sits below signatures, processing and records in the layer contract (pyproject.toml), yet issuing
must refuse bad signatures, a handler must read the document they handle, and a freeze must hold record files.
Instead of importing upward, ``documents`` names the points where it asks, and each higher app registers its
answer once, in its ``AppConfig.ready()``:

- :func:`register_issue_check`: called with the locked document before a number is taken; raises
  ``ValidationError`` to refuse the issue (signatures: every PDF must validate, decision 0029).
- :func:`register_files_arrived`: called with a document id after the transaction that stored received files
  commits (signatures: check the files in the background).
- :func:`register_reader_grant`: another way a person may read a document (processing: its handlers).
- :func:`register_freezable_files`: the record files a freeze can hold (records).
- :func:`register_delivery_status`: called inside the transaction with a delivery just moved to a status
  (exchange: a copy that came from outside tells its sender with a status package).
- :func:`register_outside_recipients`: the outside organs a recipient picker offers beside our units, as
  ``(code, name)`` pairs (exchange: its directory of organs).
- :func:`register_issued`: called inside the issue's transaction with the issued document (exchange: one package
  per outside organ, queued in the gateway's outbox with the issue).

The registries are plain lists filled at start-up; registering the same object twice is a no-op, so a
``ready()`` that runs twice (some test runners) changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Protocol

from django.db import transaction
from django.db.models import QuerySet

if TYPE_CHECKING:
    from dieuhanh.units.models import Unit

    from .models import Delivery, Document, Freeze

IssueCheck = Callable[["Document"], None]
FilesArrived = Callable[[int], None]


class ReaderGrant(Protocol):
    """A way, owned by a higher app, in which a member of ``units`` (their reader units) may read a document.

    Both methods state one rule: :func:`documents.policy.can_view_document` asks ``reads`` and
    :func:`documents.policy.visible_documents_q` puts ``document_ids`` in the same single query as the other
    grants, so a list never shows what the page refuses."""

    def reads(self, user, document: Document, units: set[int]) -> bool: ...

    def document_ids(self, user, units: set[int]) -> QuerySet: ...


class FreezableFiles(Protocol):
    """How a freeze holds the record files of the app that owns them. ``documents.freeze`` keeps the freeze
    itself (who may, the reason, the audit event); this side knows the files' table."""

    def lock(self, unit: Unit | None, ids: list[int]) -> list[str]:
        """Lock the files ``ids`` (in that order) and return their codes; refuse (ValidationError on
        ``file_ids``) a file that does not exist within ``unit``'s subtree or is frozen already."""

    def hold(self, freeze: Freeze, ids: list[int]) -> None: ...

    def release(self, freeze: Freeze) -> int:
        """Unfreeze every file ``freeze`` holds; the number of files."""

    def counts(self, freeze_ids: Iterable[int]) -> dict[int, int]:
        """How many files each freeze holds now (freezes holding none may be left out)."""

    def listing(self, freeze: Freeze) -> QuerySet:
        """The files to show on the freeze's page: held now while it is in force, held once after it was lifted;
        each with ``pk``, ``code``, ``year``, ``status`` and ``unit``."""

    def id_for_code(self, code: str) -> int | None: ...


DeliveryStatusChanged = Callable[["Delivery", str, str], None]  # (delivery, status, note)
Issued = Callable[["Document"], None]

_issue_checks: list[IssueCheck] = []
_delivery_status: list[DeliveryStatusChanged] = []
_issued: list[Issued] = []
OutsideRecipients = Callable[[], "Iterable[tuple[str, str]]"]
_outside_recipients: list[OutsideRecipients] = []
_files_arrived: list[FilesArrived] = []
_reader_grants: list[ReaderGrant] = []
_freezable_files: list[FreezableFiles] = []


def _add(registry: list, item) -> None:
    if item not in registry:
        registry.append(item)


def register_issue_check(check: IssueCheck) -> None:
    _add(_issue_checks, check)


def register_files_arrived(callback: FilesArrived) -> None:
    _add(_files_arrived, callback)


def register_delivery_status(callback: DeliveryStatusChanged) -> None:
    _add(_delivery_status, callback)


def register_issued(callback: Issued) -> None:
    _add(_issued, callback)


def register_outside_recipients(provider: OutsideRecipients) -> None:
    _add(_outside_recipients, provider)


def outside_recipients() -> list[tuple[str, str]]:
    """The ``(code, name)`` of every outside organ the registered directories offer, in their order."""
    return [pair for provider in _outside_recipients for pair in provider()]


def delivery_status_changed(delivery: Delivery, status: str, note: str = "") -> None:
    """Tell every registered app, inside the current transaction, that ``delivery`` moved to ``status``."""
    for callback in _delivery_status:
        callback(delivery, status, note)


def document_issued(document: Document) -> None:
    """Tell every registered app, inside the issue's transaction, that ``document`` was issued."""
    for callback in _issued:
        callback(document)


def register_reader_grant(grant: ReaderGrant) -> None:
    _add(_reader_grants, grant)


def register_freezable_files(files: FreezableFiles) -> None:
    if _freezable_files and _freezable_files[0] is not files:
        raise RuntimeError("Only one app can own the record files a freeze holds.")
    _add(_freezable_files, files)


def run_issue_checks(document: Document) -> None:
    """Every registered issue check, in registration order; the first refusal propagates."""
    for check in _issue_checks:
        check(document)


def files_arrived_after_commit(document: Document) -> None:
    """Tell every registered app, once the current transaction commits, that ``document`` has new received files
    (nothing is told if it rolls back)."""
    document_id = document.pk
    for callback in _files_arrived:
        transaction.on_commit(lambda callback=callback: callback(document_id))


def issue_checks() -> tuple[IssueCheck, ...]:
    return tuple(_issue_checks)


def files_arrived_callbacks() -> tuple[FilesArrived, ...]:
    return tuple(_files_arrived)


def reader_grants() -> tuple[ReaderGrant, ...]:
    return tuple(_reader_grants)


def freezable_files() -> FreezableFiles | None:
    return _freezable_files[0] if _freezable_files else None

