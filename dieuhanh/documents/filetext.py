"""The text of a stored file (PDF text layer, .docx, .odt), for search and for the diff between draft versions."""

import io
import zipfile
from xml.etree import ElementTree

from dieuhanh.kernel.text import nfc

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
PDF = "application/pdf"
MAX_TEXT = 200_000


def _docx_text(data):
    import docx

    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def _odt_text(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = ElementTree.fromstring(archive.read("content.xml"))
    ns = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
    return "\n".join("".join(el.itertext()) for el in root.iter() if el.tag in (f"{ns}p", f"{ns}h"))


def _pdf_text(data):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join((page.extract_text() or "") for page in reader.pages[:200])


def extract_text(data, content_type):
    """The file's text, or "" when it has none we can read (a scan, a damaged file)."""
    extractor = {DOCX: _docx_text, ODT: _odt_text, PDF: _pdf_text}.get(content_type)
    if extractor is None:
        return ""
    try:
        text = extractor(data)
    except Exception:  # damaged files have no text to compare; the upload itself was already validated
        return ""
    return nfc("\n".join(line.rstrip() for line in text.splitlines()).strip())[:MAX_TEXT]
