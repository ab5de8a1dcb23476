import io

import pytest

from dieuhanh.documents.testing import make_pdf
from dieuhanh.documents.tests.conftest import doc_type, exchange, media  # noqa: F401  (fixtures)

STATE_TEXT = """ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH BẮC NINH Độc lập - Tự do - Hạnh phúc
Số: 12/QĐ-UBND Bắc Ninh, ngày 05 tháng 02 năm 2026
QUYẾT ĐỊNH
Về việc ban hành quy chế làm việc
Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;"""


def png(seed=0, size=(1654, 2339), dpi=200):
    """A small distinct PNG (its pixel count is what a real A4 page at ``dpi`` would have)."""
    from PIL import Image

    image = Image.new("L", size, 255)
    image.putpixel((seed % size[0], 0), 0)
    buf = io.BytesIO()
    image.save(buf, "PNG", dpi=(dpi, dpi))
    return buf.getvalue()


@pytest.fixture
def fake_ocr(monkeypatch):
    """OCR replaced by a canned result: tests stay fast. ``fake_ocr.text`` sets the first page's text."""
    from dieuhanh.digitization import ocr

    class Fake:
        text = STATE_TEXT
        pages = None
        calls = 0

        def __call__(self, data, content_type, **kw):
            self.calls += 1
            pdf = make_pdf(b"ocr copy of " + data[:64] + bytes(str(self.calls), "ascii"))
            pages = self.pages or [ocr.judge(page=1, ppi=300, ink=0.02, words=120, confidence=92.0)]
            return ocr.OcrResult(pdf=pdf, pages=pages, texts=[self.text])

    fake = Fake()
    monkeypatch.setattr(ocr, "run", fake)
    return fake


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """Run the on-commit job queueing (huey is immediate in tests)."""
    def wrap(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)
    return wrap
