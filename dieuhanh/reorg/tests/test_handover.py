import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from dieuhanh.audit.models import AuditEvent
from dieuhanh.documents.models import Document
from dieuhanh.records.models import FileItem, RecordFile
from dieuhanh.reorg import handover
from dieuhanh.reorg.models import HandoverImport, ImportedObject
from dieuhanh.units import services as unit_services

COMPARED = [f for f in handover.DOC_FIELDS if f != "id"]


@pytest.fixture(autouse=True)
def _english():
    """The refusals are read in English here; the console shows them in the installation's language."""
    with translation.override("en"):
        yield


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
    # every electronic file field travels in the bag
    source_rf = RecordFile.objects.get(pk=w.record_file.pk)
    fields = ("title", "access_regime", "creator", "language", "description", "start_date", "end_date",
              "document_count", "page_count", "expires_on")
    assert source_rf.creator and [getattr(rf, f) for f in fields] == [getattr(source_rf, f) for f in fields]
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


def test_imported_events_join_the_receiving_chain(merged, tmp_path):
    """The source's events are appended to the receiving unit's hash chain, each keeping the original (actor,
    time, source chain seq and hashes); `audit verify` passes, and the originals re-check against their chain."""
    from dieuhanh.audit.chain import IMPORTED, source_hash, verify

    w = merged
    dest = _export(w, tmp_path)
    source = json.loads((dest / "data/metadata/audit_events.json").read_text())
    before = AuditEvent.objects.filter(chain=w.org.b1.pk).count()
    call_command("handover", "import", str(dest), str(w.org.b1.pk))
    done = HandoverImport.objects.get(unit=w.org.b1)
    imported = list(AuditEvent.objects.filter(chain=w.org.b1.pk, action=IMPORTED).order_by("seq"))
    assert len(imported) == len(source) and before > 0  # joined the chain B1 already had
    assert [e.data["source"]["hash"] for e in imported] == [s["hash"] for s in sorted(
        source, key=lambda s: (s["chain"], s["seq"]))]
    first = imported[0].data["source"]
    assert first["actor_id"] is not None and first["actor_username"] and first["at"] and first["chain"] == w.org.a1.pk
    assert all(source_hash(e.data["source"]) == e.data["source"]["hash"] for e in imported)
    assert all(e.unit_id == w.org.b1.pk and e.data["handover"] == done.pk for e in imported)
    # a document's history points at its new row
    mapping = dict(done.imported.filter(kind="document").values_list("source_id", "target_id"))
    doc_events = [e for e in imported if e.object_type == "documents.document"]
    assert doc_events and all(int(e.object_id) in mapping.values() for e in doc_events)
    assert set(done.imported.filter(kind="event").values_list("target_id", flat=True)) == {e.pk for e in imported}
    assert verify()[0] == []
    call_command("audit", "verify")


def test_import_refuses_a_bag_whose_audit_history_does_not_verify(merged, tmp_path):
    import bagit

    w = merged
    dest = _export(w, tmp_path)
    path = dest / "data/metadata/audit_events.json"
    events = json.loads(path.read_text())
    events[1]["data"] = {"forged": True}
    path.write_text(json.dumps(events))
    bagit.Bag(str(dest)).save(manifests=True)  # a consistent bag: only the chain can tell
    call_command("handover", "verify", str(dest))
    before = (Document.objects.count(), AuditEvent.objects.count(), HandoverImport.objects.count())
    with pytest.raises(CommandError, match=f"event {events[1]['id']}.*content does not match"):
        call_command("handover", "import", str(dest), str(w.org.b1.pk))
    assert (Document.objects.count(), AuditEvent.objects.count(), HandoverImport.objects.count()) == before
