import datetime
from types import SimpleNamespace

import pytest

from conftest import make_user
from dieuhanh.processing.calendar import next_working_day
from dieuhanh.units import services as unit_services


@pytest.fixture
def work(org):
    """``org`` plus a department AD2 under A with a specialist, and dates."""
    today = datetime.date.today()
    ad2 = unit_services.create_unit(actor=org.admin, parent=org.a, code="000.00.02.H01", name="Ban Tổ chức Thành ủy",
                                    short_name="BTC", kind="department", effective_from=datetime.date(2025, 7, 1))
    return SimpleNamespace(org=org, ad2=ad2, today=today, soon=next_working_day(today + datetime.timedelta(days=14)),
                           spec_ad2=make_user("spec.ad2", ad2, "specialist"),
                           head_ad2=make_user("head.ad2", ad2, "leader"),
                           leader_a1=make_user("leader.a1", org.a1, "leader"))
