"""What a draft's file says and how it becomes a PDF: text for the diff between versions, LibreOffice for the
conversion (PDF/A-2b), all local."""

import difflib
import io
import os
import shutil
import subprocess
import tempfile
import zipfile
from xml.etree import ElementTree

from django.conf import settings

from dieuhanh.core.text import nfc

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
PDF = "application/pdf"
DRAFT_TYPES = {DOCX: ".docx", ODT: ".odt", PDF: ".pdf"}
MAX_TEXT = 200_000


class ConversionError(Exception):
    pass


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


def to_pdf(data, content_type, *, timeout=120):
    """Convert a .docx/.odt to PDF/A-2b with LibreOffice headless (a private profile per call, so parallel jobs
    do not share one)."""
    suffix = DRAFT_TYPES.get(content_type)
    if suffix is None or suffix == ".pdf":
        raise ConversionError("Only .docx and .odt files are converted.")
    soffice = getattr(settings, "DIEUHANH_SOFFICE", "") or shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise ConversionError("LibreOffice is not installed (apt-get install libreoffice-writer-nogui).")
    with tempfile.TemporaryDirectory(prefix="dh-convert-") as tmp:
        source = os.path.join(tmp, "draft" + suffix)
        with open(source, "wb") as fh:
            fh.write(data)
        command = [soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--norestore",
                   "--convert-to", 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}',
                   "--outdir", tmp, source]
        try:
            subprocess.run(command, capture_output=True, timeout=timeout, check=False,
                           env={**os.environ, "HOME": tmp})
        except subprocess.TimeoutExpired as exc:
            raise ConversionError("LibreOffice took too long.") from exc
        target = os.path.join(tmp, "draft.pdf")
        if not os.path.exists(target):
            raise ConversionError("LibreOffice could not convert this file.")
        with open(target, "rb") as fh:
            return fh.read()


def text_diff(old, new):
    """Lines of a readable diff: ``[(op, text)]`` with op in " ", "-", "+"; unchanged runs shortened."""
    old_lines, new_lines = (old or "").splitlines(), (new or "").splitlines()
    out = []
    for group in difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_grouped_opcodes(2):
        if out:
            out.append(("…", ""))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out.extend((" ", line) for line in old_lines[i1:i2])
            else:
                out.extend(("-", line) for line in old_lines[i1:i2])
                out.extend(("+", line) for line in new_lines[j1:j2])
    return out


def metadata_diff(old, new):
    """``[(field, before, after)]`` for the fields that changed between two versions."""
    return [(key, old.get(key), new.get(key)) for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)]
