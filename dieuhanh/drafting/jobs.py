"""Background work for drafts: converting .docx/.odt versions to PDF/A with LibreOffice."""

from huey.contrib.djhuey import db_task

from dieuhanh.documents import storage

from . import files
from .models import Conversion, DraftVersion
from .services import record_conversion


@db_task(retries=1, retry_delay=30)
def convert_version(version_id):
    version = DraftVersion.objects.select_related("blob").filter(pk=version_id).first()
    if version is None or version.conversion != Conversion.PENDING:
        return False
    with storage.open_blob(version.blob) as fh:
        data = fh.read()
    try:
        pdf = files.to_pdf(data, version.blob.content_type)
    except files.ConversionError as exc:
        record_conversion(version_id=version_id, error=str(exc))
        return False
    record_conversion(version_id=version_id, pdf_bytes=pdf)
    return True
