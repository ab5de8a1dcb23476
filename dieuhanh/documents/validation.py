"""Uploads are judged by their content, not their name: allowed types, decompression limits, risky PDFs, and
file names that cannot escape anywhere."""

import io
import re
import struct
import unicodedata
import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PdfReadError

MAX_UNZIPPED_BYTES = 300 * 1024 * 1024  # a .docx/.odt/.xlsx may not expand beyond this (zip bombs)
MAX_ZIP_RATIO = 200
UNSUPPORTED_TYPE = "unsupported_type"  # the code of the error for content of a kind not accepted
MAX_PIXELS = 150_000_000  # about 12,000 × 12,000: an A0 scan at 300 ppi fits, a pixel flood does not

OOXML = {"word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation"}
PDF_RISKS = {b"/JavaScript": "javascript", b"/JS": "javascript", b"/EmbeddedFile": "embedded-file",
             b"/Launch": "launch-action", b"/OpenAction": "open-action", b"/RichMedia": "rich-media"}


def safe_name(name, default="file"):
    """The last path component, NFC, without control or path characters, at most 200 characters."""
    name = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").split("/")[-1]
    name = re.sub(r"[\x00-\x1f\x7f<>:\"|?*]", "", name).strip(" .")
    return name[:200] or default


def _zip_type(fileobj):
    try:
        with zipfile.ZipFile(fileobj) as archive:
            infos = archive.infolist()
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos) or 1
            if total > MAX_UNZIPPED_BYTES or total / packed > MAX_ZIP_RATIO:
                raise ValidationError({"file": _("The archive expands too much to be a real document.")})
            names = {i.filename for i in infos}
            if "mimetype" in names:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                if mimetype.startswith("application/vnd.oasis.opendocument."):
                    return mimetype
            if "[Content_Types].xml" in names:
                for prefix, content_type in OOXML.items():
                    if any(n.startswith(prefix) for n in names):
                        return content_type
    except zipfile.BadZipFile as exc:
        raise ValidationError({"file": _("The file is a damaged archive.")}) from exc
    finally:
        fileobj.seek(0)
    raise ValidationError({"file": _("Only office documents are accepted as archives (.docx, .xlsx, .odt).")})


def _png_pixels(head):
    width, height = struct.unpack(">II", head[16:24])
    return width * height


def _jpeg_pixels(fileobj):
    """Scan the JPEG markers up to the frame header (SOFn) for the image size."""
    data = fileobj.read(2 * 1024 * 1024)
    fileobj.seek(0)
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            i += 1
            continue
        marker = data[i + 1]
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            height, width = struct.unpack(">HH", data[i + 5:i + 9])
            return width * height
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        i += 2 + struct.unpack(">H", data[i + 2:i + 4])[0]
    return 0


PDF_TRAILER_SLACK = b" \t\r\n\x00\x0c"  # what may follow the last %%EOF: whitespace, as writers leave it


def _check_pdf(content: bytes) -> None:
    """A file that starts like a PDF must be one, and only one (decision 0036): pypdf reads its structure and its
    pages; nothing but whitespace follows its last ``%%EOF`` (another format appended behind it); and no ZIP
    reader would open it (an end-of-central-directory record that zip tools find, the PDF/ZIP polyglot)."""
    end = content.rfind(b"%%EOF")
    if end < 0:
        raise ValidationError({"file": ValidationError(
            _("The file is not a readable PDF (damaged or not a PDF)."), code="pdf_damaged")})
    if content[end + 5:].strip(PDF_TRAILER_SLACK):
        raise ValidationError({"file": ValidationError(
            _("The PDF carries other data after its end: it is refused."), code="pdf_polyglot")})
    buffer = io.BytesIO(content)
    if zipfile.is_zipfile(buffer) or content.find(b"PK\x03\x04") == 0:
        raise ValidationError({"file": ValidationError(
            _("The file is both a PDF and a ZIP archive: it is refused."), code="pdf_polyglot")})
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if len(reader.pages) < 1:
            raise PdfReadError("no pages")
        reader.pages[0].mediabox  # noqa: B018 (reading the first page object proves the page tree resolves)
    except ValidationError:
        raise
    except Exception as exc:  # pypdf raises many kinds (PdfReadError, ValueError, KeyError...) on a broken file
        raise ValidationError({"file": ValidationError(
            _("The file is not a readable PDF (damaged or not a PDF)."), code="pdf_damaged")}) from exc


def inspect(fileobj):
    """Return (content type, flags) for an upload, or raise ValidationError naming ``file``."""
    fileobj.seek(0)
    head = fileobj.read(64)
    fileobj.seek(0)
    flags = []
    if head.startswith(b"%PDF-"):
        content = fileobj.read()
        fileobj.seek(0)
        _check_pdf(content)
        flags = sorted({flag for marker, flag in PDF_RISKS.items() if re.search(re.escape(marker) + rb"[\s/<(\[]",
                                                                                   content)})
        return "application/pdf", flags
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        if _png_pixels(head) > MAX_PIXELS:
            raise ValidationError({"file": _("The image has too many pixels.")})
        return "image/png", flags
    if head.startswith(b"\xff\xd8\xff"):
        if _jpeg_pixels(fileobj) > MAX_PIXELS:
            raise ValidationError({"file": _("The image has too many pixels.")})
        return "image/jpeg", flags
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff", flags
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(fileobj), flags
    raise ValidationError({"file": ValidationError(
        _("This kind of file is not accepted: send PDF, an image (JPEG, PNG, TIFF) or an office document "
          "(.docx, .xlsx, .odt)."), code=UNSUPPORTED_TYPE)})
