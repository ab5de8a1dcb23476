"""Background checks of signatures: every PDF of a document when it is issued (what recipients see on receipt)."""

from huey.contrib.djhuey import db_task

from dieuhanh.documents.models import DocumentFile

from .services import check_blob


@db_task(retries=2, retry_delay=30)
def check_document_files(document_id):
    checked = 0
    for doc_file in DocumentFile.objects.filter(document_id=document_id, blob__content_type="application/pdf") \
            .select_related("blob"):
        check_blob(actor=None, blob=doc_file.blob)
        checked += 1
    return checked
