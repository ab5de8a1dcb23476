"""OCR of a scan with OCRmyPDF and Tesseract (vie+eng): a PDF/A with a text layer, deskewed and turned upright,
plus per-page quality figures (resolution, blank, word count and confidence) and the recognized text.

Nothing here touches the database; :func:`run` takes bytes and returns an :class:`OcrResult` or raises
:class:`ScanError` with a message a clerk can act on.
"""

import io
import json
import logging
import os
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from dieuhanh.documents.validation import MAX_PIXELS

from . import prepare

logger = logging.getLogger(__name__)

# Vietnamese only: with "eng" beside it Tesseract read bold names and headings with the English model and dropped
# their diacritics ("Hoang Thi" for "Hoàng Thị"); the vie model reads Latin abbreviations as well (issue 18)
LANGUAGES = ["vie"]
MIN_PPI = 200  # DOMAIN.md: digitized copies at least 200 ppi
MAX_PAGES = 500
BLANK_INK = 0.004  # share of dark pixels below which a page counts as blank
UNREADABLE_WORDS = 5
UNREADABLE_CONFIDENCE = 55
A4_SHORT_INCHES = 8.27
IMAGE_TYPES = {"image/png", "image/jpeg", "image/tiff"}
# OCRmyPDF keeps some global state (Pillow's pixel limit, logging): one run at a time per process. Parallel OCR
# comes from worker processes (dieuhanh run_huey -k process -w N) and from DIEUHANH_OCR_JOBS pages per file.
_OCR_LOCK = threading.Lock()


class ScanError(Exception):
    """The file cannot be digitized; the message says why (shown to the clerk)."""


@dataclass
class OcrResult:
    pdf: bytes
    pages: list = field(default_factory=list)  # [{"page", "ppi", "blank", "words", "confidence", "flags"}]
    texts: list = field(default_factory=list)  # recognized text per page
    hocr: list = field(default_factory=list)  # Tesseract's hOCR per page ("" for pages not OCR'd)
    steps: list = field(default_factory=list)  # image preparation done (prepare.py), for the review page

    @property
    def first_page_hocr(self):
        return next((h for t, h in zip(self.texts, self.hocr, strict=False) if t.strip()), "")

    @property
    def page_count(self):
        return len(self.pages)

    @property
    def first_page_text(self):
        return next((t for t in self.texts if t.strip()), "")


def _prepared_image(data, workdir, dpi, ink):
    """One page image made ready for OCR (prepare.py: credible resolution, page straightened, light evened, red
    seal taken out), saved as a grey PNG at its worked-out resolution."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        stored = float(dpi[0]) if dpi and dpi[0] else None
        try:
            prepared = prepare.prepare(image, stored)
        except (OSError, ValueError) as exc:
            raise ScanError(_("The image is damaged or not an image.")) from exc
    path = workdir / "input.png"
    ppi = round(prepared.ppi)
    prepared.image.save(path, "PNG", dpi=(ppi, ppi))
    return path, ppi, ink, None, prepared.steps


def _prepared_pages(pages, workdir):
    """Every page image (pairs of a PIL image and its stored ppi or None) prepared as a single image is, then
    wrapped in one PDF of grey pages, each at its own worked-out resolution. Returns (path, steps done)."""
    import img2pdf

    paths, steps = [], []
    for number, (image, stored) in enumerate(pages, start=1):
        try:
            prepared = prepare.prepare(image, stored)
        except (OSError, ValueError) as exc:
            raise ScanError(_("The image is damaged or not an image.")) from exc
        path = workdir / f"page-{number}.png"
        ppi = round(prepared.ppi)
        prepared.image.save(path, "PNG", dpi=(ppi, ppi))
        paths.append(str(path))
        steps += [step for step in prepared.steps if step not in steps]
    output = workdir / "prepared.pdf"
    output.write_bytes(img2pdf.convert(paths))  # img2pdf places each PNG at its own dpi
    return output, steps


def _tiff_frames(image):
    """The frames of a multi-page TIFF one after another, each with its stored ppi."""
    for index in range(image.n_frames):
        image.seek(index)
        dpi = image.info.get("dpi")
        yield image.copy(), (float(dpi[0]) if dpi and dpi[0] else None)


TEXT_OPERATORS = {"Tj", "TJ", "'", '"'}


def scanned_pdf_pages(path):
    """The resolution each page's image is placed at when the PDF is a scan (every page one image and no text),
    or None for a PDF with any born-digital page: that one keeps its own text (skip_text) and is not rasterized."""
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            found = []
            for page in pdf.pages:
                images = list(page.images.values())
                if len(images) != 1:
                    return None
                if any(str(operator) in TEXT_OPERATORS for _, operator in pikepdf.parse_content_stream(page)):
                    return None
                width, height = int(images[0].Width), int(images[0].Height)
                if width * height > MAX_PIXELS:
                    return None  # check_pdf names the flood
                box = [float(v) for v in page.mediabox]
                long_in = max(abs(box[2] - box[0]), abs(box[3] - box[1])) / 72
                found.append(max(width, height) / long_in if long_in else None)
            return found
    except Exception:  # an odd page or image: OCRmyPDF reads the PDF as it is, and names any damage itself
        logger.info("scanned PDF not prepared", exc_info=True)
        return None


def _pdf_page_images(path, ppis):
    """The scanned PDF's page images one after another (not all in memory), each with its placed ppi."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        for page, ppi in zip(pdf.pages, ppis, strict=True):
            image = pikepdf.PdfImage(next(iter(page.images.values()))).as_pil_image()
            yield image, ppi


def prepare_image(data, workdir, prepare_pages=True):
    """Check an image and hand it to OCRmyPDF: a single-page image as it is (OCRmyPDF wraps it itself), every
    frame of a multi-page TIFF wrapped in one PDF. Returns (path, ppi, ink share or None, image_dpi override).
    Images without a usable resolution are taken as A4 portrait, the usual paper of official documents."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            frames = getattr(image, "n_frames", 1)
            if frames > MAX_PAGES:
                raise ScanError(_("The image has more than %(n)s pages.") % {"n": MAX_PAGES})
            width, height = image.size
            if width * height * frames > MAX_PIXELS or width * height > MAX_PIXELS:
                raise ScanError(_("The image has too many pixels."))
            dpi, kind = image.info.get("dpi"), image.format
            image.draft("L", (max(1, width // 8), max(1, height // 8)))  # JPEG decodes at 1/8 size
            small = image.convert("L")  # decodes the first frame: a truncated or damaged image fails here
            small.thumbnail((max(1, width // 8), max(1, height // 8)))
            histogram = small.histogram()
            ink = sum(histogram[:128]) / (sum(histogram) or 1)
    except Image.DecompressionBombError as exc:
        raise ScanError(_("The image has too many pixels.")) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ScanError(_("The image is damaged or not an image.")) from exc
    if frames == 1 and prepare_pages:
        return _prepared_image(data, workdir, dpi, ink)
    if prepare_pages:  # a multi-page TIFF: each frame as a single image is
        try:
            with Image.open(io.BytesIO(data)) as image:
                path, steps = _prepared_pages(_tiff_frames(image), workdir)
        except (OSError, SyntaxError, ValueError) as exc:
            raise ScanError(_("The image is damaged or not an image.")) from exc
        return path, None, None, None, steps
    ppi = float(dpi[0]) if dpi and dpi[0] and 10 <= float(dpi[0]) <= 5000 else None
    override = None
    if ppi is None:
        ppi = override = min(width, height) / A4_SHORT_INCHES
    if frames == 1 and kind in ("PNG", "JPEG", "TIFF"):
        path = workdir / f"input.{kind.lower()}"
        path.write_bytes(data)
        return path, round(ppi), ink, round(override) if override else None, []
    import img2pdf

    path = workdir / "input.pdf"
    try:
        layout = img2pdf.get_fixed_dpi_layout_fun((ppi, ppi))
        path.write_bytes(img2pdf.convert(data, layout_fun=layout, rotation=img2pdf.Rotation.ifvalid))
    except Exception as exc:  # img2pdf raises its own and PIL's errors for odd images
        raise ScanError(_("The image is damaged or in an unsupported variant.")) from exc
    return path, None, None, None, []


def check_pdf(path):
    """Open a PDF before any page is decoded and return each page's resolution in ppi; an encrypted, damaged or
    too long file raises the ScanError that names it (one step of the OCR run, tested on its own)."""
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            if pdf.is_encrypted:
                raise ScanError(_("The PDF is encrypted: ask the sender for an unprotected copy."))
            count = len(pdf.pages)
            if count == 0:
                raise ScanError(_("The PDF has no pages."))
            if count > MAX_PAGES:
                raise ScanError(_("The PDF has more than %(n)s pages.") % {"n": MAX_PAGES})
            return [_page_ppi(page) for page in pdf.pages]
    except pikepdf.PasswordError as exc:
        raise ScanError(_("The PDF is encrypted: ask the sender for an unprotected copy.")) from exc
    except pikepdf.PdfError as exc:
        raise ScanError(_("The PDF is damaged and cannot be read.")) from exc


def _page_ppi(page):
    """Resolution of the largest image on the page, measured against the page size (None without images)."""
    try:
        box = [float(v) for v in page.mediabox]
        width_in, height_in = abs(box[2] - box[0]) / 72, abs(box[3] - box[1]) / 72
        best = None  # (pixels, ppi) of the largest image
        for image in page.get_images().values():
            w, h = int(image.Width), int(image.Height)
            if w * h > MAX_PIXELS:
                raise ScanError(_("An image in the PDF has too many pixels."))
            if width_in and height_in:
                # the page may be turned relative to the image
                ppi = max(min(w / width_in, h / height_in), min(w / height_in, h / width_in))
                if best is None or w * h > best[0]:
                    best = (w * h, ppi)
        return round(best[1]) if best else None
    except ScanError:
        raise
    except Exception:  # an odd image dictionary: no figure rather than a failure
        return None


def page_ink(path, count):
    """Share of dark pixels per page, rendered small (noise averages out at this size)."""
    import pypdfium2

    shares = []
    try:
        pdf = pypdfium2.PdfDocument(str(path))
    except Exception:
        return [None] * count
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            image = page.render(scale=40 / 72, grayscale=True).to_pil().convert("L")
            histogram = image.histogram()
            total = sum(histogram) or 1
            shares.append(sum(histogram[:128]) / total)
    finally:
        pdf.close()
    return shares


def _texts(sidecar, output, count):
    text = sidecar.read_text(encoding="utf-8", errors="replace") if sidecar.exists() else ""
    pages = text.split("\f")
    pages = (pages + [""] * count)[:count]
    if any("[OCR skipped on page" in p for p in pages):  # born-digital pages keep their own text
        import pypdfium2

        pdf = pypdfium2.PdfDocument(str(output))
        try:
            for index, page_text in enumerate(pages):
                if "[OCR skipped on page" in page_text and index < len(pdf):
                    pages[index] = pdf[index].get_textpage().get_text_range()
        finally:
            pdf.close()
    return [p.strip() for p in pages]


def ocr_options(**overrides):
    options = {"language": LANGUAGES, "output_type": "pdfa", "deskew": True, "rotate_pages": True,
               "skip_text": True, "progress_bar": False, "max_image_mpixels": MAX_PIXELS / 1_000_000,
               "jobs": int(os.environ.get("DIEUHANH_OCR_JOBS", "1")), "rotate_pages_threshold": 6.0,
               # threads, not a process pool: no fork inside a worker that holds database connections
               # (Tesseract and the other tools run as their own processes anyway)
               "use_threads": True,
               # OCRmyPDF's own PDF/A writer: Debian 12's Ghostscript 10.0 is refused with skip_text, and
               # skip_text keeps the text of born-digital pages instead of rasterizing them.
               "pdfa_backend": os.environ.get("DIEUHANH_OCR_PDFA_BACKEND", "internal")}
    options.update(overrides)
    return options


def run(data, content_type, prepare=True, **overrides):
    """OCR ``data`` (a PDF or an image); return the PDF/A and per-page figures or raise ScanError."""
    import ocrmypdf
    from ocrmypdf import exceptions as ocr_exc

    if content_type not in IMAGE_TYPES and content_type != "application/pdf":
        raise ScanError(_("Only PDF and image scans (TIFF, JPEG, PNG) can be digitized."))
    with tempfile.TemporaryDirectory(prefix="dieuhanh-ocr-") as tmp:
        workdir = Path(tmp)
        image_ppi = image_dpi = None
        steps = []
        if content_type in IMAGE_TYPES:
            source, image_ppi, image_ink, image_dpi, steps = prepare_image(data, workdir, prepare)
        else:
            source = workdir / "input.pdf"
            source.write_bytes(data)
            if prepare:
                check_pdf(source)  # encrypted, damaged, too many pages: named before any page is decoded
                scanned = scanned_pdf_pages(source)
                if scanned:
                    try:
                        source, steps = _prepared_pages(_pdf_page_images(source, scanned), workdir)
                    except Exception:  # an image pikepdf cannot decode: OCR the PDF as it is
                        logger.info("scanned PDF not prepared", exc_info=True)
                        source = workdir / "input.pdf"
        if image_ppi is not None:  # one image: its figures are known already
            ppis, ink = [image_ppi], [image_ink]
        else:
            ppis = check_pdf(source)
            ink = page_ink(source, len(ppis))
        if image_dpi:
            overrides = {"image_dpi": image_dpi, **overrides}
        output, sidecar = workdir / "output.pdf", workdir / "text.txt"
        try:
            with _OCR_LOCK:
                ocrmypdf.ocr(source, output, sidecar=sidecar, plugins=["dieuhanh.digitization.ocr_plugin"],
                             **ocr_options(**overrides))
        except ocr_exc.EncryptedPdfError as exc:
            raise ScanError(_("The PDF is encrypted: ask the sender for an unprotected copy.")) from exc
        except ocr_exc.DigitalSignatureError as exc:
            raise ScanError(_("The PDF is digitally signed; OCR would break the signature. Register it directly "
                              "instead.")) from exc
        except ocr_exc.MissingDependencyError as exc:
            logger.error("OCR tools missing: %s", exc)
            raise ScanError(_("The OCR tools are not installed on the server (tesseract, ghostscript).")) from exc
        except (ocr_exc.InputFileError, ocr_exc.UnsupportedImageFormatError, ocr_exc.DpiError) as exc:
            raise ScanError(_("The file cannot be read for OCR: %(error)s") % {"error": exc}) from exc
        except ocr_exc.ExitCodeException as exc:
            logger.warning("OCR failed: %s", exc)
            raise ScanError(_("OCR failed on this file.")) from exc
        except Exception as exc:  # a damaged page deep inside a PDF surfaces as anything from pikepdf or PIL
            logger.warning("OCR failed", exc_info=True)
            raise ScanError(_("OCR failed: the file seems damaged.")) from exc
        texts = _texts(sidecar, output, len(ppis))
        pages = []
        for index, ppi in enumerate(ppis):
            stats_path = Path(f"{sidecar}.page-{index + 1}.json")
            stats = json.loads(stats_path.read_text()) if stats_path.exists() else {}
            words = stats.get("words")
            if words is None:  # OCR skipped (born-digital page): count the words of its own text
                words = sum(1 for w in texts[index].split() if any(c.isalnum() for c in w))
            pages.append(judge(page=index + 1, ppi=ppi, ink=ink[index] if index < len(ink) else None,
                               words=words, confidence=stats.get("confidence")))
        hocr = []
        for index in range(len(ppis)):
            hocr_path = Path(f"{sidecar}.page-{index + 1}.hocr")
            hocr.append(hocr_path.read_text(encoding="utf-8") if hocr_path.exists() else "")
        return OcrResult(pdf=output.read_bytes(), pages=pages, texts=texts, hocr=hocr, steps=steps)


def judge(*, page, ppi, ink, words, confidence):
    """The quality flags of one page: low-resolution, blank, unreadable."""
    flags = []
    if ppi is not None and ppi < MIN_PPI:
        flags.append("low-resolution")
    blank = (ink is not None and ink < BLANK_INK) and words < UNREADABLE_WORDS
    if blank:
        flags.append("blank")
    elif words < UNREADABLE_WORDS or (confidence is not None and confidence < UNREADABLE_CONFIDENCE):
        flags.append("unreadable")
    return {"page": page, "ppi": ppi, "blank": blank, "ink": round(ink, 4) if ink is not None else None,
            "words": words, "confidence": confidence, "flags": flags}
