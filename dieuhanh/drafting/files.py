"""How a draft becomes a PDF (LibreOffice, PDF/A-2b, all local) and the readable diff between versions; the
text of a file comes from documents.filetext."""

import difflib
import os
import shutil
import subprocess
import tempfile

from django.conf import settings

from dieuhanh.documents.filetext import DOCX, ODT, PDF, extract_text  # noqa: F401 - part of this module's API

DRAFT_TYPES = {DOCX: ".docx", ODT: ".odt", PDF: ".pdf"}


class ConversionError(Exception):
    pass


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
