"""Damaged and hostile scans are refused by the OCR step with a clear reason, before any OCR runs."""

import io

import pytest
from django.utils import translation

from dieuhanh.digitization import ocr


@pytest.fixture(autouse=True)
def _english():
    """The reasons are read in English here; the clerk reads them in the language of the page."""
    with translation.override("en"):
        yield


def _pdf(encrypt=False):
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    buf = io.BytesIO()
    pdf.save(buf, encryption=pikepdf.Encryption(owner="o", user="u") if encrypt else None)
    return buf.getvalue()


@pytest.mark.parametrize("data,content_type,message", [
    (_pdf(encrypt=True), "application/pdf", "encrypted"),
    (b"%PDF-1.4\n1 0 obj <<>> garbage " + b"\x00" * 100, "application/pdf", "damaged"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "image/png", "damaged"),
    (b"II*\x00" + b"\x00" * 40, "image/tiff", "damaged"),
    (b"PK\x03\x04", "application/zip", "Only PDF and image scans"),
])
def test_refused_with_reason(data, content_type, message):
    with pytest.raises(ocr.ScanError) as exc:
        ocr.run(data, content_type)
    assert message in str(exc.value)


def test_tiff_pixel_flood_refused():
    from PIL import Image

    buf = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buf, "TIFF", compression="group4")
    with pytest.raises(ocr.ScanError) as exc:
        ocr.run(buf.getvalue(), "image/tiff")
    assert "too many pixels" in str(exc.value)


def test_hocr_stats():
    from dieuhanh.digitization.ocr_plugin import hocr_stats

    hocr = ("<span class='ocrx_word' id='w1' title='bbox 1 2 3 4; x_wconf 90'>Số</span>"
            "<span class='ocrx_word' id='w2' title='bbox 1 2 3 4; x_wconf 70'><strong>12</strong></span>"
            "<span class='ocrx_word' id='w3' title='bbox 1 2 3 4; x_wconf 10'>—</span>")
    assert hocr_stats(hocr) == (2, 80.0)
    assert hocr_stats("") == (0, None)


def test_pdf_page_figures_without_ocr(tmp_path):
    """Resolution is measured from the page's image against the page size; blank pages have almost no ink."""
    import img2pdf
    from PIL import Image, ImageDraw

    page = Image.new("L", (1240, 1754), 255)  # A4 at 150 ppi
    ImageDraw.Draw(page).rectangle((100, 100, 1100, 600), fill=0)
    blank = Image.new("L", (1240, 1754), 255)
    images = []
    for image in (page, blank):
        buf = io.BytesIO()
        image.save(buf, "PNG", dpi=(150, 150))
        images.append(buf.getvalue())
    path = tmp_path / "two.pdf"
    path.write_bytes(img2pdf.convert(images, layout_fun=img2pdf.get_fixed_dpi_layout_fun((150, 150))))
    assert ocr.check_pdf(path) == [150, 150]
    ink = ocr.page_ink(path, 2)
    assert ink[0] > 0.1 and ink[1] < ocr.BLANK_INK


def test_image_figures_without_ocr(tmp_path):
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (1654, 2339), 255).save(buf, "PNG")  # no resolution recorded: taken as A4
    path, ppi, ink, override, steps = ocr.prepare_image(buf.getvalue(), tmp_path)
    # the resolution is worked out from the pixel size and written into the prepared PNG itself
    assert path.suffix == ".png" and ppi == 200 and override is None and ink == 0
    assert "resolution-derived" in steps
    frames = io.BytesIO()
    Image.new("1", (800, 1100), 1).save(frames, "TIFF", save_all=True,
                                        append_images=[Image.new("1", (800, 1100), 0)], dpi=(100, 100))
    path, ppi, ink, override, steps = ocr.prepare_image(frames.getvalue(), tmp_path)
    assert path.suffix == ".pdf" and ppi is None  # every frame wrapped in one PDF, measured as a PDF
    assert ocr.check_pdf(path) == [100, 100]
