"""reorg writes only its own tables: every other table a reorganization or a handover import changes is written by
the owning app's services (issue 15; decision 0040).

Every INSERT, UPDATE and DELETE sent to the database while the reorganization runs is caught with the Python
stack that sent it (``connection.execute_wrapper``). A statement on a table of another app passes only if that
app's ``services.py`` is on the stack: the app wrote its own rows and kept its own invariants (search rows, trails,
counters). A statement sent by reorg's code straight through another app's model has no such frame and fails.
"""

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.core.management import call_command
from django.db import connection

from conftest import make_user
from dieuhanh.accounts.models import Role
from dieuhanh.documents import services as docs
from dieuhanh.processing import services as flow_services
from dieuhanh.processing.models import Flow
from dieuhanh.records import services as records
from dieuhanh.records.models import RetentionPeriod, seed_retention
from dieuhanh.reorg import handover, services
from dieuhanh.reorg.models import HandoverImport
from dieuhanh.units import services as unit_services
from dieuhanh.units.models import Unit

WRITE = re.compile(r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+["`]?(\w+)', re.IGNORECASE)


class Writes:
    """The writes sent to the database: ``(table, files on the stack)``."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, set[str]]] = []

    def __call__(self, execute, sql, params, many, context):
        found = WRITE.match(sql)
        if found:
            files, frame = set(), sys._getframe(1)
            while frame is not None:
                files.add(frame.f_code.co_filename)
                frame = frame.f_back
            self.seen.append((found.group(1), files))
        return execute(sql, params, many, context)

    def strays(self) -> list[str]:
        """``table (app)`` for every write to another app's table that did not pass through its services."""
        owners = {m._meta.db_table: m._meta.app_config for m in apps.get_models(include_auto_created=True)}
        out = []
        for table, files in self.seen:
            app = owners.get(table)
            if app is None or app.label == "reorg":
                continue
            if str(Path(app.path) / "services.py") not in files:
                out.append(f"{table} ({app.name})")
        return sorted(set(out))

    def tables(self) -> set[str]:
        return {table for table, _files in self.seen}


@contextmanager
def writes() -> Iterator[Writes]:
    caught = Writes()
    with connection.execute_wrapper(caught):
        yield caught


def test_the_check_catches_a_write_that_bypasses_the_owner(reorg_world):
    """The checker itself: a flow moved straight through the model is caught, one moved by processing is not."""
    w = reorg_world
    ids = [f.pk for f in w.flows]
    with writes() as direct:
        Flow.objects.filter(pk__in=ids).update(unit=w.org.b1)
    assert direct.strays() == ["processing_flow (dieuhanh.processing)"]
    with writes() as owned:
        flow_services.reassign_unit(flow_ids=ids, field="unit", source=w.org.b1, target=w.org.a1)
    assert owned.strays() == [] and owned.tables() == {"processing_flow"}


def test_a_full_reorganization_and_handover_write_only_through_the_owners(reorg_world, tmp_path):
    """A merger that moves every kind of work (a sub-unit, a copy the successor already holds, people moved), a
    dissolution that deactivates people, and the handover package of the merged unit imported elsewhere."""
    w = reorg_world
    org = w.org
    dept = unit_services.create_unit(actor=org.admin, parent=org.a1, code="000.01.01.H01", name="Ban Tuyên giáo",
                                     short_name="BTG", kind="department", effective_from=org.a1.effective_from)
    docs.issue_document(actor=org.clerk_a, document=w.exchange.outgoing(
        subject="Gửi cả hai", recipients=[{"unit_id": org.a1.pk}, {"unit_id": org.b1.pk}]))
    lone = unit_services.create_unit(actor=org.admin, parent=org.b, code="000.02.02.H02", name="Chi bộ Lẻ",
                                     short_name="CB", kind="department", effective_from=org.b.effective_from)
    make_user("member.lone", lone, Role.SPECIALIST)
    seed_retention()
    ten = RetentionPeriod.objects.get(code="10")
    rf = records.open_file(actor=w.clerk_a1, unit=org.a1, symbol="01.VP", title="Hồ sơ", retention_id=ten.pk)
    records.attach_documents(actor=w.clerk_a1, file=rf, document_ids=[w.handled.pk, w.own.pk])
    fresh = unit_services.create_unit(actor=org.admin, parent=org.b, code="000.09.00.H79", name="Đảng ủy Mới",
                                      short_name="ĐU", kind="commune", effective_from=w.today)
    dest = tmp_path / "bag"
    with writes() as caught:
        merge = services.record_decision(actor=org.admin, kind="merge", effective_on=w.today, document_id=w.own.pk,
                                         items=[{"old_unit_id": org.a1.pk, "successor_id": org.b1.pk}])
        services.execute(actor=org.admin, decision=merge)
        dissolve = services.record_decision(actor=org.admin, kind="dissolve", effective_on=w.today,
                                            members="deactivate",
                                            items=[{"old_unit_id": lone.pk, "successor_id": org.b.pk}])
        services.execute(actor=org.admin, decision=dissolve)
        handover.export_bag(actor=org.admin, unit=org.a1, dest=dest)
        call_command("handover", "import", str(dest), str(fresh.pk))
    assert HandoverImport.objects.filter(unit=fresh).exists() and Unit.objects.get(pk=dept.pk).parent_id == org.b1.pk
    assert caught.tables() >= {
        "documents_register", "documents_numberseries", "documents_incomingentry", "processing_flow", "tasks_task",
        "drafting_draft", "documents_delivery", "documents_deliveryevent", "units_unit", "accounts_membership",
        "accounts_user", "documents_document", "documents_documentfile", "records_recordfile", "records_fileitem",
        "search_searchentry", "audit_auditevent"}
    assert caught.strays() == []
