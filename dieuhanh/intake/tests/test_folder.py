"""The watched folder: stable files only, moved to done/ or failed/ after the commit, once even after a crash."""

import os
import time

import pytest
from django.utils import translation

from dieuhanh.documents.models import Delivery, DeliveryStatus
from dieuhanh.exchange.edxml import build_package
from dieuhanh.exchange.tests import factories
from dieuhanh.intake import services
from dieuhanh.intake.models import IntakeItem, ItemState, Source, SourceKind

from .mails import PDF

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "scanner"
    root.mkdir()
    return root


def _drop(path, data, age=60):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    old = time.time() - age
    os.utime(path, (old, old))
    return path


def _pending(unit):
    return Delivery.objects.filter(recipient_unit=unit, status=DeliveryStatus.ARRIVED)


def test_stable_file_delivered_and_moved_partial_one_waits(ex, folder):
    source = Source.objects.create(name="Máy quét văn thư", kind=SourceKind.FOLDER, unit=ex.org.ad, path=str(folder))
    _drop(folder / "Tờ trình số 5.pdf", PDF)
    _drop(folder / "đang quét.pdf", PDF + b"x", age=0)  # still being written
    _drop(folder / "upload.pdf.part", PDF + b"y")
    [item] = services.poll_folder(source)
    assert item.state == ItemState.DONE and item.subject == "Tờ trình số 5" and item.ref == "Tờ trình số 5.pdf"
    assert (folder / "done" / "Tờ trình số 5.pdf").exists() and not (folder / "Tờ trình số 5.pdf").exists()
    assert (folder / "đang quét.pdf").exists() and (folder / "upload.pdf.part").exists()
    [delivery] = _pending(ex.org.ad)
    assert [f.name for f in delivery.document.files.all()] == ["Tờ trình số 5.pdf"]
    item.refresh_from_db()
    assert item.moved_to == "done/Tờ trình số 5.pdf"
    # once it has settled, the other is taken in
    old = time.time() - 60
    os.utime(folder / "đang quét.pdf", (old, old))
    assert [i.state for i in services.poll_folder(source)] == [ItemState.DONE]
    assert _pending(ex.org.ad).count() == 2


def test_crash_before_the_move_takes_the_file_in_once(ex, folder, monkeypatch):
    source = Source.objects.create(name="Máy quét", kind=SourceKind.FOLDER, unit=ex.org.ad, path=str(folder))
    _drop(folder / "cv.pdf", PDF)

    def crash(*args, **kwargs):
        raise OSError("killed before the move")

    monkeypatch.setattr(services, "move_file", crash)
    with pytest.raises(OSError):
        services.poll_folder(source)
    assert (folder / "cv.pdf").exists() and _pending(ex.org.ad).count() == 1
    monkeypatch.undo()
    [item] = services.poll_folder(source)
    assert item.state == ItemState.DONE
    assert IntakeItem.objects.count() == 1 and _pending(ex.org.ad).count() == 1
    assert (folder / "done" / "cv.pdf").exists()


def test_same_content_under_another_name_is_a_duplicate(ex, folder):
    source = Source.objects.create(name="Máy quét", kind=SourceKind.FOLDER, unit=ex.org.ad, path=str(folder))
    _drop(folder / "a.pdf", PDF)
    services.poll_folder(source)
    _drop(folder / "b.pdf", PDF)
    [item] = services.poll_folder(source)
    assert item.state == ItemState.DUPLICATE and item.duplicate_of.ref == "a.pdf"
    assert (folder / "done" / "b.pdf").exists() and _pending(ex.org.ad).count() == 1


def test_unit_from_subfolder_unknown_unit_and_empty_file_fail(ex, folder):
    source = Source.objects.create(name="Thư mục chung", kind=SourceKind.FOLDER, path=str(folder))
    _drop(folder / ex.org.b.code / "to-trinh.pdf", PDF)
    _drop(folder / "999.99.99.Z99" / "lac.pdf", PDF + b"z")
    _drop(folder / ex.org.b.code / "rong.pdf", b"")
    with translation.override("en"):
        items = {i.ref: i for i in services.poll_folder(source)}
    ok = items[f"{ex.org.b.code}/to-trinh.pdf"]
    assert ok.state == ItemState.DONE and ok.unit == ex.org.b
    lost = items["999.99.99.Z99/lac.pdf"]
    assert lost.state == ItemState.UNREADABLE and lost.reason.startswith("unit_code") and lost.unit is None
    empty = items[f"{ex.org.b.code}/rong.pdf"]
    assert empty.state == ItemState.UNREADABLE and empty.reason == "the file is empty"
    assert (folder / "failed" / "999.99.99.Z99" / "lac.pdf").exists()
    assert (folder / "failed" / ex.org.b.code / "rong.pdf").exists()
    assert _pending(ex.org.b).count() == 1
    assert services.poll_folder(source) == []  # done/ and failed/ are not read again


def test_edxml_file_is_imported_as_a_package(ex, folder):
    ex.unit("000.00.02.H27", "Sở Tài chính tỉnh Bắc Ninh")
    source = Source.objects.create(name="Thư mục liên thông", kind=SourceKind.FOLDER, path=str(folder))
    _drop(folder / "125.edxml", build_package(factories.package()))
    [item] = services.poll_folder(source)
    assert item.state == ItemState.DONE, item.reason
    [pkg] = item.packages.all()
    assert pkg.source == "folder" and pkg.state == "imported"
