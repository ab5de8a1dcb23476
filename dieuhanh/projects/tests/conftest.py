import datetime
from types import SimpleNamespace

import pytest

from conftest import make_user


@pytest.fixture
def reg(org):
    """``org`` plus the project people: a specialist of commune A1 enters projects, the specialist of A is the IT
    body reviewing A1's proposals, A's leader approves."""
    from dieuhanh.accounts.models import Role
    from dieuhanh.projects import services
    from dieuhanh.projects.vocabulary import ensure

    ensure()
    spec_a = make_user("spec.a", org.a, Role.SPECIALIST, full_name="Nguyễn Văn Tin")
    spec_b1 = make_user("spec.b1", org.b1, Role.SPECIALIST)

    def project(actor=None, unit=None, **data):
        actor = actor or org.spec_a1
        unit = unit or org.a1
        base = {"code": f"DA-{project.n}", "name": "Hệ thống quản lý văn bản và điều hành", "unit_id": unit.pk,
                "level": "commune", "kind": "software",
                "objective": "Xử lý văn bản đến, văn bản đi trên môi trường mạng",
                "functions": ["document-management"], "budget_amount": 500_000_000, "currency": "VND",
                "budget_year": 2026, "starts_on": datetime.date(2026, 1, 1), "ends_on": datetime.date(2026, 12, 31)}
        project.n += 1
        base.update(data)
        return services.create_project(actor=actor, data=base)

    project.n = 1
    return SimpleNamespace(org=org, spec_a=spec_a, spec_b1=spec_b1, project=project)
