"""edXML import benchmark (issue 17): receive_package of document packages with a 1 MB attachment (incompressible,
so the ZIP does not shrink it), each into a delivery awaiting receipt; then the same packages again (duplicates).

    createdb -h 127.0.0.1 -U postgres dh_bench_edxml
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dh_bench_edxml .venv/bin/python bench/edxml_import_bench.py

Options: --packages N (default 40), --size-mb 1.
"""

import argparse
import datetime
import os
import tempfile
import time

from _common import report, setup_django


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--packages", type=int, default=40)
    parser.add_argument("--size-mb", type=float, default=1.0)
    args = parser.parse_args()
    media = tempfile.mkdtemp(prefix="edxml-bench-")
    os.environ.setdefault("DIEUHANH_MEDIA_ROOT", media)
    setup_django()
    from django.conf import settings

    settings.MEDIA_ROOT = media
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    from dieuhanh.accounts.models import User
    from dieuhanh.documents.testing import make_pdf
    from dieuhanh.exchange import services
    from dieuhanh.exchange.edxml import Attachment, build_package
    from dieuhanh.exchange.tests import factories
    from dieuhanh.operations.reference import ensure_reference_data
    from dieuhanh.units import services as unit_services
    from dieuhanh.units.models import Unit, UnitKind

    ensure_reference_data()
    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser("bench-admin",
                                                                                             password="x" * 16)
    unit = Unit.objects.filter(code="000.00.00.B01").first() or unit_services.create_unit(
        actor=admin, parent=None, code="000.00.00.B01", name="Đơn vị đo", short_name="ĐV", kind=UnitKind.PROVINCE,
        effective_from=datetime.date(2025, 1, 1))
    run = time.strftime("%H%M%S")
    size = int(args.size_mb * 1024 * 1024)
    packages = []
    for i in range(args.packages):
        body = make_pdf(f"bench {run} {i}") + os.urandom(size)
        packages.append(build_package(factories.package(
            to=(factories.organ(unit.code, unit.name),), document_id=f"000.00.01.H27,2026/03/05,{run}-{i}/BENCH",
            attachments=(Attachment(name=f"{i}.pdf", content_type="application/pdf", data=body),))))
    first, again = [], []
    start = time.perf_counter()
    for data in packages:
        t = time.perf_counter()
        pkg = services.receive_package(data=data, source="folder", source_ref="bench")
        first.append((time.perf_counter() - t) * 1000)
        assert pkg.state == "imported", pkg.reason
    elapsed = time.perf_counter() - start
    for data in packages:
        t = time.perf_counter()
        assert services.receive_package(data=data, source="folder").state == "duplicate"
        again.append((time.perf_counter() - t) * 1000)
    print(f"package size {len(packages[0]) / 1024 / 1024:.2f} MB (base64 of a ZIP of a {args.size_mb} MB file)")
    report("import (document + file + delivery + 01 queued)", first)
    report("duplicate arrival (recorded, nothing imported)", again)
    print(f"imports per second (one process): {len(packages) / elapsed:.1f}")


if __name__ == "__main__":
    main()
