import datetime
from types import SimpleNamespace

import pytest

from dieuhanh.documents import services as doc_services
from dieuhanh.documents.tests.conftest import media  # noqa: F401, F811 - the fixture, shared
from dieuhanh.units import services as unit_services
from dieuhanh.units.models import Unit, UnitKind


@pytest.fixture
def ex(org, media):  # noqa: F811 - the shared media fixture
    """``org`` with registers and series this year, and a helper adding units with the codes a package names."""
    year = datetime.date.today().year
    for unit in (org.a, org.b):
        doc_services.open_standard_registers(actor=org.admin, unit=unit, year=year)
        doc_services.create_series(actor=org.admin, unit=unit, name="Văn bản hành chính", system="state",
                                   rule="yearly")

    def unit(code: str, name: str = "") -> Unit:
        found = Unit.objects.filter(code=code).first()
        if found is not None:
            return found
        made = unit_services.create_unit(actor=org.admin, parent=org.root, code=code, name=name or f"Cơ quan {code}",
                                         short_name="CQ", kind=UnitKind.PROVINCE,
                                         effective_from=datetime.date(2025, 7, 1))
        doc_services.open_standard_registers(actor=org.admin, unit=made, year=year)
        return made

    return SimpleNamespace(org=org, year=year, unit=unit)
