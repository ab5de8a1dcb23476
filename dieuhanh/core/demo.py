"""The demo organization: realistic units and people, created idempotently through the services."""

import datetime

from django.db import transaction

from dieuhanh.accounts import services as account_services
from dieuhanh.accounts.models import Membership, Position, Role, User
from dieuhanh.audit.services import record
from dieuhanh.units import services as unit_services
from dieuhanh.units.models import Unit, UnitKind

DEMO_PASSWORD = "Demo@2026"
ADMIN_USERNAME = "admin"

# Units as (slug, code, name, short name, kind, children); a slug marks a committee that gets staff.
# Codes follow the 13-character agency identifier shape: 000.<commune>.<department>.<province>.
_COMMUNE_CELLS = ["Chi bộ Khu dân cư số 1", "Chi bộ Khu dân cư số 2"]


def _commune(province, number, slug, name):
    code = f"000.{number:02d}.%02d.{province}"
    return (slug, code % 0, name, "ĐU", UnitKind.COMMUNE, [
        (None, code % 1, f"Văn phòng {name}", "VP", UnitKind.DEPARTMENT, []),
        *[(None, code % (i + 2), cell, "CB", UnitKind.CELL, []) for i, cell in enumerate(_COMMUNE_CELLS)],
    ])


def _province(province, slug, name, place, communes, extra=()):
    code = f"000.00.%02d.{province}"
    depts = [
        (None, code % 1, f"Văn phòng {name}", "VPTU", UnitKind.DEPARTMENT, []),
        (None, code % 2, f"Ban Tổ chức {name}", "BTCTU", UnitKind.DEPARTMENT, []),
        (None, code % 3, f"Ủy ban Kiểm tra {name}", "UBKTTU", UnitKind.DEPARTMENT, []),
        (None, code % 4, f"Ủy ban Mặt trận Tổ quốc Việt Nam {place}", "MTTQ", UnitKind.FRONT, []),
        *[(None, code % (5 + i), n, s, k, []) for i, (n, s, k) in enumerate(extra)],
    ]
    parts = [_commune(province, i + 1, cslug, cname) for i, (cslug, cname) in enumerate(communes)]
    return (slug, code % 0, name, "TU", UnitKind.PROVINCE, depts + parts)


ORGANIZATION = ("tw", "000.00.00.G01", "Ban Chấp hành Trung ương Đảng", "TW", UnitKind.CENTRAL, [
    (None, "000.00.01.G01", "Văn phòng Trung ương Đảng", "VPTW", UnitKind.DEPARTMENT, []),
    _province("H01", "hanoi", "Thành ủy Hà Nội", "thành phố Hà Nội", [
        ("badinh", "Đảng ủy phường Ba Đình"),
        ("hoankiem", "Đảng ủy phường Hoàn Kiếm"),
        ("socson", "Đảng ủy xã Sóc Sơn"),
    ], extra=[("Đoàn Thanh niên Cộng sản Hồ Chí Minh thành phố Hà Nội", "ĐTN", UnitKind.MASS_ORG)]),
    _province("H38", "thanhhoa", "Tỉnh ủy Thanh Hóa", "tỉnh Thanh Hóa", [
        ("hacthanh", "Đảng ủy phường Hạc Thành"),
        ("hoanghoa", "Đảng ủy xã Hoằng Hóa"),
    ]),
    _province("H79", "hcm", "Thành ủy Thành phố Hồ Chí Minh", "Thành phố Hồ Chí Minh", [
        ("saigon", "Đảng ủy phường Sài Gòn"),
        ("benthanh", "Đảng ủy phường Bến Thành"),
        ("cuchi", "Đảng ủy xã Củ Chi"),
    ]),
])

# (username prefix, role, position) for every committee.
STAFF = [
    ("lanhdao", Role.LEADER, "Bí thư"),
    ("pholanhdao", Role.DEPUTY, "Phó Bí thư"),
    ("vanthu", Role.CLERK, "Văn thư"),
    ("chuyenvien1", Role.SPECIALIST, "Chuyên viên"),
    ("chuyenvien2", Role.SPECIALIST, "Chuyên viên"),
    ("quantri", Role.UNIT_ADMIN, "Quản trị đơn vị"),
]
POSITION_RANKS = {"Bí thư": 10, "Phó Bí thư": 20, "Chánh Văn phòng": 30, "Chuyên viên": 50, "Văn thư": 60,
                  "Quản trị đơn vị": 80, "Quản trị hệ thống": 90}

_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
_MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Quang", "Ngọc", "Hữu", "Thanh", "Xuân"]
_GIVEN = ["An", "Bình", "Chi", "Dũng", "Đông", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Lan", "Long", "Mai",
          "Nam", "Nga", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vân", "Yến"]


def _name(i):
    return f"{_FAMILY[i % len(_FAMILY)]} {_MIDDLE[(i * 7) % len(_MIDDLE)]} {_GIVEN[(i * 5) % len(_GIVEN)]}"


@transaction.atomic
def bootstrap_admin(password=DEMO_PASSWORD):
    """The first system administrator: the one account no service can create, since none exists to act."""
    admin = User.objects.filter(username=ADMIN_USERNAME).first()
    if admin is None:
        admin = User(username=ADMIN_USERNAME, full_name="Quản trị hệ thống", is_superuser=True, is_staff=True)
        admin.set_password(password)
        admin.save()
        record(actor=None, action="user.bootstrap_admin", obj=admin)
    return admin


def _ensure_unit(admin, parent, spec, created_units):
    slug, code, name, short, kind, children = spec
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        unit = unit_services.create_unit(actor=admin, parent=parent, code=code, name=name, short_name=short,
                                         kind=kind, effective_from=datetime.date(2025, 7, 1))
    if slug:
        created_units.append((slug, unit))
    for child in children:
        _ensure_unit(admin, unit, child, created_units)
    return unit


def seed_demo(password=DEMO_PASSWORD):
    """Create the demo organization if missing; return [(username, full name, role, unit name)]."""
    admin = bootstrap_admin(password)
    for name, rank in POSITION_RANKS.items():
        Position.objects.get_or_create(name=name, defaults={"rank": rank})
    committees = []
    root = _ensure_unit(admin, None, ORGANIZATION, committees)
    if not Membership.objects.active().filter(user=admin, role=Role.SYSTEM_ADMIN).exists():
        account_services.add_membership(actor=admin, user=admin, unit=root, role=Role.SYSTEM_ADMIN,
                                        position=Position.objects.get(name="Quản trị hệ thống"))
    logins = [(ADMIN_USERNAME, admin.full_name, Role.SYSTEM_ADMIN.label, root.name)]
    serial = 0
    for slug, unit in committees:
        for prefix, role, position in STAFF:
            serial += 1
            username = f"{prefix}.{slug}"
            user = User.objects.filter(username=username).first()
            if user is None:
                user = account_services.create_user(
                    actor=admin, username=username, full_name=_name(serial), password=password,
                    email=f"{username}@demo.dieuhanh.local", unit=unit, role=role,
                    position=Position.objects.get(name=position),
                )
            logins.append((username, user.full_name, role.label, unit.name))
    return logins
