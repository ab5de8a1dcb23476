"""An OCRmyPDF plugin: the stock Tesseract engine, plus word confidences read from the hOCR it already writes.

The statistics go to ``<sidecar>.page-<n>.json`` beside the sidecar text file of the run, so they reach the
caller whether OCRmyPDF works in threads or in worker processes; reading them costs a regex over the hOCR. The hOCR
itself is kept as ``<sidecar>.page-<n>.hocr``: the extraction reads the header by the words' positions.
"""

import json
import re
from pathlib import Path

from ocrmypdf import hookimpl
from ocrmypdf.builtin_plugins.tesseract_ocr import TesseractOcrEngine

_WCONF = re.compile(r"class=['\"]ocrx_word['\"][^>]*x_wconf (\d+)[^>]*>(.*?)</span>", re.S)
_TAGS = re.compile(r"<[^>]+>")


def hocr_stats(hocr):
    """(word count, mean confidence 0-100 or None) of the words that hold a letter or a digit."""
    confidences = [int(conf) for conf, word in _WCONF.findall(hocr)
                   if any(ch.isalnum() for ch in _TAGS.sub("", word))]
    if not confidences:
        return 0, None
    return len(confidences), round(sum(confidences) / len(confidences), 1)


class MeasuringTesseract(TesseractOcrEngine):
    @staticmethod
    def generate_hocr(input_file, output_hocr, output_text, options):
        TesseractOcrEngine.generate_hocr(input_file, output_hocr, output_text, options)
        sidecar = getattr(options, "sidecar", None)
        match = re.match(r"(\d+)", Path(output_hocr).name)
        if not isinstance(sidecar, (str, Path)) or not match:
            return
        try:
            hocr = Path(output_hocr).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return
        words, confidence = hocr_stats(hocr)
        Path(f"{sidecar}.page-{int(match.group(1))}.hocr").write_text(hocr, encoding="utf-8")
        Path(f"{sidecar}.page-{int(match.group(1))}.json").write_text(
            json.dumps({"words": words, "confidence": confidence}))


@hookimpl
def get_ocr_engine(options):
    if options is not None and getattr(options, "ocr_engine", "auto") not in ("auto", "tesseract"):
        return None
    return MeasuringTesseract()
