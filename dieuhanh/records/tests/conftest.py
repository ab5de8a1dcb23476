import datetime
from types import SimpleNamespace

import pytest

from conftest import make_user
from dieuhanh.documents.tests.conftest import exchange, media  # noqa: F401  (fixtures)


@pytest.fixture
def records(exchange):  # noqa: F811
    """``exchange`` plus records people: a specialist in A, an archivist of A, an archivist of B; the retention
    table; helpers that issue documents of A and build an approved list with an open file."""
    from dieuhanh.accounts.models import Role
    from dieuhanh.documents import services as doc_services
    from dieuhanh.records import services
    from dieuhanh.records.models import FileList, RetentionPeriod, seed_retention

    org = exchange.org
    seed_retention()  # a transactional test before this one may have flushed the seeded rows
    spec = make_user("spec.a", org.a, Role.SPECIALIST, full_name="Trần Thu Hà")
    archivist = make_user("archivist.a", org.a, Role.ARCHIVIST, full_name="Phạm Văn Lưu")
    archivist_b = make_user("archivist.b", org.b, Role.ARCHIVIST)
    year = exchange.year
    ten = RetentionPeriod.objects.get(code="10")
    permanent = RetentionPeriod.objects.get(code="vinh-vien")

    def issue(subject="Về việc điều động cán bộ", **fields):
        doc = exchange.outgoing(subject=subject, content=subject.encode(), **fields)
        return doc_services.issue_document(actor=org.clerk_a, document=doc)

    def approved_list(unit=None):
        unit = unit or org.a
        existing = FileList.objects.filter(unit=unit, year=year).first()
        if existing is not None:
            return existing
        file_list = services.create_file_list(actor=spec if unit == org.a else org.clerk_b, unit=unit, year=year)
        keeper = spec if unit == org.a else org.clerk_b
        section = services.add_section(actor=keeper, file_list=file_list, title="I. Tổ chức, cán bộ")
        services.add_entry(actor=keeper, file_list=file_list, symbol="01.TCCB", title="Hồ sơ điều động cán bộ",
                           retention_id=ten.pk, section_id=section.pk, responsible_id=keeper.pk)
        services.add_entry(actor=keeper, file_list=file_list, symbol="02.VP", title="Tập văn bản đi",
                           retention_id=permanent.pk)
        leader = org.leader_a if unit == org.a else org.leader_b
        return services.approve_list(actor=leader, file_list=file_list)

    def open_file(file_list=None, symbol="01.TCCB"):
        file_list = file_list or approved_list()
        entry = file_list.entries.get(symbol=symbol)
        return services.open_file(actor=spec, unit=file_list.unit, entry=entry)

    def closed_file(documents=1, symbol="01.TCCB"):
        file = open_file(symbol=symbol)
        docs = [issue(f"Văn bản số {i}") for i in range(documents)]
        services.attach_documents(actor=spec, file=file, document_ids=[d.pk for d in docs])
        return services.close_file(actor=spec, file=file, title=file.title, retention_id=file.retention_id)

    def deposit(file):
        return services.create_deposit(actor=spec, unit=file.unit, file_ids=[file.pk],
                                       collection_name=f"Hồ sơ năm {year}", giver_name="Trần Thu Hà",
                                       giver_position="Chuyên viên")

    return SimpleNamespace(org=org, exchange=exchange, spec=spec, archivist=archivist, archivist_b=archivist_b,
                           year=year, ten=ten, permanent=permanent, issue=issue, approved_list=approved_list,
                           open_file=open_file, closed_file=closed_file, deposit=deposit,
                           today=datetime.date.today())
