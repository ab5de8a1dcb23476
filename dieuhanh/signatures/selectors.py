"""Reads for signature checks: the latest check of each PDF of a document, in one query."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dieuhanh.kernel.pagination import Page, keyset_page

from .models import Credential, SignatureCheck

if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    from dieuhanh.documents.models import Document, DocumentFile


def pending_approval_page(*, cursor: str | None = None, limit: int = 50) -> Page:
    """Credentials whose subject does not name their holder, waiting for a system administrator (decision 0029).
    Callers check that the reader is a system administrator."""
    qs = Credential.objects.filter(approved_at__isnull=True, revoked_at__isnull=True).exclude(problem="")
    return keyset_page(qs.select_related("user", "unit"), ["-id"], cursor=cursor, limit=limit)


def check_out(check: Any) -> dict[str, Any]:
    return {"outcome": check.outcome, "checked_at": check.checked_at, "signatures": check.results}


def latest_checks(blob_ids: Iterable[int]) -> dict[int, SignatureCheck]:
    latest: dict[int, SignatureCheck] = {}
    for check in SignatureCheck.objects.filter(blob_id__in=list(blob_ids)).order_by("blob_id", "-checked_at", "-id"):
        latest.setdefault(check.blob_id, check)
    return latest


def document_checks(document: Document) -> list[tuple[DocumentFile, Any]]:
    """``[(file, latest check or None)]`` for the PDF files of ``document``."""
    pdfs = list(document.files.filter(blob__content_type="application/pdf").select_related("blob"))
    latest = latest_checks(f.blob_id for f in pdfs)
    return [(f, latest.get(f.blob_id)) for f in pdfs]
