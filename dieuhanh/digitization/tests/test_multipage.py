"""Issue 18: a multi-page TIFF or a scanned PDF is prepared page by page as a single image is (resolution,
perspective, light, red seal), so the signer under a red seal reads on page 1 of a two-page scan; a born-digital
PDF page keeps its own text."""

import io
import random

import img2pdf
from PIL import Image

from dieuhanh.digitization import ocr, scans
from dieuhanh.digitization.extract import extract_result


def _page(index, kind, colour, quality):
    rng = random.Random(index)
    s = scans.spec(index, rng)
    data, _, _ = scans.capture(scans.render(s, seed=index), kind, rng, colour=colour, quality=quality)
    return s, Image.open(io.BytesIO(data))


def test_multipage_colour_tiff_is_prepared_per_page_and_the_signer_under_the_seal_reads():
    s, first = _page(4, "office-200", True, 50)
    _, second = _page(5, "office-200", True, 50)
    out = io.BytesIO()
    first.save(out, "TIFF", save_all=True, append_images=[second], dpi=(200, 200), compression="jpeg")
    result = ocr.run(out.getvalue(), "image/tiff")
    assert result.page_count == 2
    assert "seal-removed" in result.steps
    got = extract_result(result, directory=scans.directory())
    assert got.symbol == s["symbol"]
    assert got.signer_name == s["signer"]


def test_phone_photo_wrapped_in_a_pdf_is_straightened():
    """A phone photo saved as PDF by a scanning app: 72 dpi in the image, the sheet in perspective on a desk."""
    s, photo = _page(3, "phone", True, 70)
    jpeg = io.BytesIO()
    photo.save(jpeg, "JPEG", quality=85, dpi=(72, 72))
    pdf = img2pdf.convert(jpeg.getvalue())
    result = ocr.run(pdf, "application/pdf")
    assert {"perspective", "light-evened"} <= set(result.steps)
    got = extract_result(result, directory=scans.directory())
    assert got.symbol == s["symbol"]
    assert got.subject == s["subject"]


def test_a_pdf_page_with_text_is_not_taken_for_a_scan():
    """A born-digital page (text operators) keeps its own text: the PDF is not rasterized and prepared."""
    import pikepdf

    from dieuhanh.digitization.ocr import scanned_pdf_pages

    _, photo = _page(3, "office-150", False, 60)
    jpeg = io.BytesIO()
    photo.save(jpeg, "JPEG", quality=70, dpi=(150, 150))
    scanned = io.BytesIO(img2pdf.convert(jpeg.getvalue()))
    ppis = scanned_pdf_pages(scanned)
    assert len(ppis) == 1 and round(ppis[0]) == 150
    pdf = pikepdf.open(io.BytesIO(scanned.getvalue()))
    page = pdf.pages[0]
    page.contents_add(pdf.make_stream(b"BT /F1 12 Tf 72 72 Td (So: 12/QD-UBND) Tj ET"), prepend=False)
    out = io.BytesIO()
    pdf.save(out)
    out.seek(0)
    assert scanned_pdf_pages(out) is None
