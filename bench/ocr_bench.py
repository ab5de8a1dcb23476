"""OCR throughput: pages per minute per core through the system (import + background job: store the original,
OCR, quality checks, extraction, duplicate check, store the PDF/A, audit) against plain `ocrmypdf` with the same
options on the same files. Both run one page at a time on one core (OCRmyPDF --jobs 1).

    .venv/bin/python bench/ocr_bench.py [--pages 8]

Uses a throw-away SQLite database and media folder; the configured database is not touched.
"""

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=8)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ocr-bench-"))
    os.environ["DIEUHANH_VAR_DIR"] = str(tmp)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "dieuhanh.settings"
    os.environ["OMP_THREAD_LIMIT"] = "1"  # Tesseract on one core, for both runs
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from dieuhanh.accounts.models import Membership, Role, User
    from dieuhanh.digitization import jobs, ocr, samples, services
    from dieuhanh.operations.reference import ensure_reference_data
    from dieuhanh.units import services as unit_services
    from dieuhanh.units.models import UnitKind

    ensure_reference_data()
    admin = User.objects.create(username="bench-admin", is_superuser=True)
    import datetime

    unit = unit_services.create_unit(actor=admin, parent=None, code="000.00.00.B01", name="Đơn vị thử",
                                     short_name="DV", kind=UnitKind.PROVINCE, effective_from=datetime.date(2025, 7, 1))
    clerk = User.objects.create(username="bench-clerk")
    Membership.objects.create(user=clerk, unit=unit, role=Role.CLERK)
    scans = samples.make_samples(args.pages, seed=7)
    folder = tmp / "scans"
    folder.mkdir()
    for scan in scans:
        (folder / scan.name).write_bytes(scan.data)

    # Three ways over the same files, interleaved file by file so that drifts of the machine's speed hit all
    # three alike: plain `ocrmypdf` (one process per file, as a script would run it), plain OCRmyPDF through its
    # Python API in this process (no start-up per file), and the system (import + background job).
    options = ocr.ocr_options()
    command = [str(Path(sys.executable).parent / "ocrmypdf"), "-l", "+".join(options["language"]),
               "--output-type", options["output_type"], "--pdfa-backend", options["pdfa_backend"], "--deskew",
               "--rotate-pages", "--rotate-pages-threshold", str(options["rotate_pages_threshold"]), "--skip-text",
               "--jobs", "1", "--quiet"]
    import ocrmypdf

    ocrmypdf.ocr(folder / scans[0].name, tmp / "warm-up.pdf", **options)  # imports and plugin loading
    plain = plain_api = system = 0.0
    for scan in scans:
        started = time.perf_counter()
        subprocess.run([*command, str(folder / scan.name), str(tmp / (scan.name + ".pdf"))], check=True)
        plain += time.perf_counter() - started

        started = time.perf_counter()
        ocrmypdf.ocr(folder / scan.name, tmp / (scan.name + ".api.pdf"), **options)
        plain_api += time.perf_counter() - started

        started = time.perf_counter()
        batch = services.import_files(actor=clerk, unit=unit, files=[(scan.name, io.BytesIO(scan.data))],
                                      enqueue=False)
        item = batch.items.get()
        assert jobs.process(item.pk) == "ready", item.pk
        system += time.perf_counter() - started
    pages = len(scans)
    print(f"{pages} pages (A4, 200-300 ppi, PNG/JPEG/TIFF/PDF), one core")
    print(f"plain ocrmypdf: {plain:6.1f} s  {60 * pages / plain:5.1f} pages/min/core")
    print(f"ocrmypdf API:   {plain_api:6.1f} s  {60 * pages / plain_api:5.1f} pages/min/core")
    print(f"dieuhanh:       {system:6.1f} s  {60 * pages / system:5.1f} pages/min/core")
    print(f"overhead vs the command: {100 * (system - plain) / plain:+5.1f}%, "
          f"vs the API: {100 * (system - plain_api) / plain_api:+5.1f}%")


if __name__ == "__main__":
    main()
