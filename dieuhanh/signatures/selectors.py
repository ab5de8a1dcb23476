"""Reads for signature checks: the latest check of each PDF of a document, in one query."""

from .models import SignatureCheck


def check_out(check):
    return {"outcome": check.outcome, "checked_at": check.checked_at, "signatures": check.results}


def latest_checks(blob_ids):
    latest = {}
    for check in SignatureCheck.objects.filter(blob_id__in=list(blob_ids)).order_by("blob_id", "-checked_at", "-id"):
        latest.setdefault(check.blob_id, check)
    return latest


def document_checks(document):
    """``[(file, latest check or None)]`` for the PDF files of ``document``."""
    pdfs = list(document.files.filter(blob__content_type="application/pdf").select_related("blob"))
    latest = latest_checks(f.blob_id for f in pdfs)
    return [(f, latest.get(f.blob_id)) for f in pdfs]
