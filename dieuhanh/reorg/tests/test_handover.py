import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dieuhanh.audit.models import AuditEvent
from dieuhanh.documents.models import Document
from dieuhanh.records.models import FileItem, RecordFile, RetentionPeriod, seed_retention
from dieuhanh.reorg import handover, services
from dieuhanh.reorg.models import HandoverImport, ImportedObject
from dieuhanh.units import services as unit_services

COMPARED = [f for f in handover.DOC_FIELDS if f != "id"]


@pytest.fixture
def merged(reorg_world):
    """A1 with a closed record file holding two documents, merged into B1."""
    from dieuhanh.records import services as records

    w = reorg_world
    seed_retention()
    ten = RetentionPeriod.objects.get(code="10")
    rf = records.open_file(actor=w.clerk_a1, unit=w.org.a1, symbol="01.VP", title="Hồ sơ văn bản đến",
                           retention_id=ten.pk)
    records.attach_documents(actor=w.clerk_a1, file=rf, document_ids=[w.handled.pk, w.own.pk])
    records.close_file(actor=w.clerk_a1, file=rf, title=rf.title, retention_id=ten.pk)
    d = services.record_decision(actor=w.org.admin, kind="merge", effective_on=w.today, document_id=w.own.pk,
                                 items=[{"old_unit_id": w.org.a1.pk, "successor_id": w.org.b1.pk}])
    services.execute(actor=w.org.admin, decision=d)
    w.record_file = rf
    return w


def _export(w, tmp_path):
    dest = tmp_path / "bag"
    call_command("handover", "export", str(w.org.a1.pk), str(dest))
    return dest


def test_export_writes_a_valid_bag(merged, tmp_path):
    w = merged
    dest = _export(w, tmp_path)
    for name in ("bagit.txt", "bag-info.txt", "manifest-sha256.txt", "tagmanifest-sha256.txt",
                 "data/bien-ban-giao-nhan.pdf", "data/metadata/documents.csv", "data/metadata/file_items.csv"):
        assert (dest / name).is_file(), name
    docs = json.loads((dest / "data/metadata/documents.json").read_text())
    assert {d["id"] for d in docs} == {w.handled.pk, w.own.pk}
    for d in docs:
        for f in d["files"]:
            import hashlib

            assert hashlib.sha256((dest / "data/files" / f["sha256"]).read_bytes()).hexdigest() == f["sha256"]
    events = json.loads((dest / "data/metadata/audit_events.json").read_text())
    assert len(events) == AuditEvent.objects.filter(unit=w.org.a1).count() - 1  # less the export's own event
    assert (dest / "data/bien-ban-giao-nhan.pdf").read_bytes().startswith(b"%PDF")
    call_command("handover", "verify", str(dest))
    assert AuditEvent.objects.filter(action="reorg.handover.export", unit=w.org.a1).count() == 1


@pytest.mark.parametrize("damage", ["tampered", "missing", "extra"])
def test_verify_names_what_is_wrong(merged, tmp_path, damage):
    dest = _export(merged, tmp_path)
    target = next((dest / "data/files").iterdir())
    if damage == "tampered":
        raw = bytearray(target.read_bytes())
        raw[-1] ^= 1
        target.write_bytes(bytes(raw))
    elif damage == "missing":
        target.unlink()
    else:
        (dest / "data/files/intruder.txt").write_text("x")
    with pytest.raises(CommandError) as exc:
        call_command("handover", "verify", str(dest))
    assert ("intruder" in str(exc.value)) if damage == "extra" else (target.name in str(exc.value))


def test_round_trip_into_a_fresh_unit(merged, tmp_path):
    w = merged
    dest = _export(w, tmp_path)
    fresh = unit_services.create_unit(actor=w.org.admin, parent=w.org.b, code="000.09.00.H79",
                                      name="Đảng ủy phường Mới", short_name="ĐU", kind="commune",
                                      effective_from=w.today)
    source_events = len(json.loads((dest / "data/metadata/audit_events.json").read_text()))
    call_command("handover", "import", str(dest), str(fresh.pk))
    done = HandoverImport.objects.get(unit=fresh)
    mapping = dict(done.imported.filter(kind="document").values_list("source_id", "target_id"))
    assert set(mapping) == {w.handled.pk, w.own.pk}
    for source_id, target_id in mapping.items():
        a, b = Document.objects.get(pk=source_id), Document.objects.get(pk=target_id)
        assert {f: getattr(a, f) for f in COMPARED} == {f: getattr(b, f) for f in COMPARED}
        assert a.document_type_id == b.document_type_id
        files = lambda d: sorted((f.blob.sha256, f.name, f.is_main, f.order) for f in d.files.all())  # noqa: E731
        assert files(a) == files(b)
    assert done.imported.filter(kind="event").count() == source_events
    (rf,) = RecordFile.objects.filter(unit=fresh)
    assert rf.title == w.record_file.title and rf.status == "closed" and rf.document_count == 2
    assert set(FileItem.objects.filter(file=rf).values_list("document_id", flat=True)) == set(mapping.values())
    with pytest.raises(CommandError, match="already imported"):
        call_command("handover", "import", str(dest), str(fresh.pk))


def test_import_refuses_a_tampered_bag_and_writes_nothing(merged, tmp_path):
    w = merged
    dest = _export(w, tmp_path)
    meta = Path(dest / "data/metadata/documents.csv")
    meta.write_text(meta.read_text().replace("Văn bản", "Văn bảN", 1))
    before = (Document.objects.count(), ImportedObject.objects.count(), HandoverImport.objects.count(),
              AuditEvent.objects.count())
    with pytest.raises(CommandError, match="documents.csv"):
        call_command("handover", "import", str(dest), str(w.org.b.pk))
    assert (Document.objects.count(), ImportedObject.objects.count(), HandoverImport.objects.count(),
            AuditEvent.objects.count()) == before


def test_verify_exit_code_from_the_shell(merged, tmp_path):
    import subprocess
    import sys

    dest = _export(merged, tmp_path)
    cmd = [sys.executable, "-m", "dieuhanh", "handover", "verify", str(dest)]
    assert subprocess.run(cmd, capture_output=True, text=True).returncode == 0
    target = next((dest / "data/files").iterdir())
    target.write_bytes(target.read_bytes()[:-1] + b"X")
    done = subprocess.run(cmd, capture_output=True, text=True)
    assert done.returncode != 0 and target.name in done.stderr
