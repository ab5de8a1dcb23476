"""Accuracy of digitization: render N synthetic scans (State and Party layouts, 200-300 ppi, skew, noise; PNG,
JPEG, TIFF and PDF), run the system's OCR (OCRmyPDF + Tesseract vie+eng) and extraction over each, and compare
every field with the ground truth. Prints per-field accuracy (exact, and ignoring case and diacritics).

    .venv/bin/python bench/ocr_accuracy.py [--count 30] [--keep DIR]
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dieuhanh.settings")

FIELDS = ["symbol", "issued_on", "issuer_name", "type_name", "subject"]


def norm(value):
    return " ".join(str(value or "").split()).casefold()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--keep", help="write the generated scans and a results.json here")
    args = parser.parse_args()
    import django

    django.setup()
    from dieuhanh.core.text import fold
    from dieuhanh.digitization import ocr, samples
    from dieuhanh.digitization.extract import extract

    started = time.perf_counter()
    scans = samples.make_samples(args.count)
    print(f"generated {len(scans)} scans in {time.perf_counter() - started:.1f} s")
    exact = dict.fromkeys(FIELDS, 0)
    loose = dict.fromkeys(FIELDS, 0)
    flagged, rows, ocr_seconds = 0, [], 0.0
    for scan in scans:
        t = time.perf_counter()
        result = ocr.run(scan.data, scan.content_type)
        ocr_seconds += time.perf_counter() - t
        got = extract(result.first_page_text).as_dict()
        truth = scan.truth()
        row = {"name": scan.name, "system": scan.system, "ppi": scan.ppi, "skew": scan.skew,
               "flags": [f for p in result.pages for f in p["flags"]], "fields": {},
               "confidence": [p["confidence"] for p in result.pages], "text": result.first_page_text}
        flagged += bool(row["flags"])
        for name in FIELDS:
            ok = norm(got[name]) == norm(truth[name])
            ok_loose = fold(got[name] or "") == fold(truth[name] or "")
            exact[name] += ok
            loose[name] += ok_loose
            row["fields"][name] = {"truth": truth[name], "got": got[name], "exact": ok}
        rows.append(row)
        misses = [n for n in FIELDS if not row["fields"][n]["exact"]]
        print(f"{scan.name} {scan.system:5} {scan.ppi} ppi skew {scan.skew:+.2f}: "
              f"{'all fields right' if not misses else 'missed ' + ', '.join(misses)}", flush=True)
    n = len(scans)
    print(f"\n{n} scans, OCR {ocr_seconds:.0f} s ({ocr_seconds / n:.1f} s per page), {flagged} with quality flags")
    print(f"{'field':12} {'exact':>8} {'ignoring case/diacritics':>26}")
    for name in FIELDS:
        print(f"{name:12} {100 * exact[name] / n:7.1f}% {100 * loose[name] / n:25.1f}%")
    all_right = sum(all(r["fields"][f]["exact"] for f in FIELDS) for r in rows)
    print(f"{'all fields':12} {100 * all_right / n:7.1f}%")
    print("\nquality checks and rotation:")
    for label, data, content_type, expect in extras(samples):
        result = ocr.run(data, content_type)
        flags = sorted({f for p in result.pages for f in p["flags"]})
        got = extract(result.first_page_text).as_dict()
        if isinstance(expect, str):
            ok = expect in flags
        else:
            ok = all(norm(got[k]) == norm(v) for k, v in expect.items())
        print(f"  {label:34} flags={flags} {'OK' if ok else 'MISSED'}"
              f" conf={[p['confidence'] for p in result.pages]} words={[p['words'] for p in result.pages]}")
    if args.keep:
        keep = Path(args.keep)
        keep.mkdir(parents=True, exist_ok=True)
        for scan in scans:
            (keep / scan.name).write_bytes(scan.data)
        (keep / "results.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1, default=str))


def extras(samples):
    """Pages that must be flagged (150 ppi, blank, unreadable) and pages scanned sideways or upside down."""
    import random

    from PIL import Image, ImageDraw

    rng = random.Random(99)
    spec = samples.spec(0, rng)
    low = samples.render(spec, ppi=150, skew=0.4, seed=1)
    yield ("150 ppi page", *samples.encode(low, 150, "png"), "low-resolution")
    blank = samples._noise(Image.new("L", (1654, 2339), 255), 0.04, rng)
    yield ("blank page with scanner grain", *samples.encode(blank, 200, "png"), "blank")
    scribble = Image.new("L", (1654, 2339), 255)
    draw = ImageDraw.Draw(scribble)
    for _ in range(400):
        x, y = rng.randrange(1654), rng.randrange(2339)
        draw.line((x, y, x + rng.randint(-200, 200), y + rng.randint(-200, 200)), fill=0, width=rng.randint(2, 9))
    yield ("scribbles, no text", *samples.encode(scribble, 200, "png"), "unreadable")
    from PIL import ImageFilter

    smeared = samples.render(samples.spec(1, rng), ppi=200, seed=2).filter(ImageFilter.GaussianBlur(5))
    yield ("badly out of focus (blur 5 px)", *samples.encode(smeared, 200, "png"), "unreadable")
    for angle in (90, 180):
        s = samples.spec(2, rng)
        page = samples.render(s, ppi=240, seed=3).rotate(angle, expand=True)
        truth = {"symbol": s["symbol"], "issued_on": s["issued_on"].isoformat()}
        yield (f"page turned {angle}°", *samples.encode(page, 240, "jpeg"), truth)


if __name__ == "__main__":
    main()
