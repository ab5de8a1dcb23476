"""The demo organization: realistic units and people, created idempotently through the services."""

import datetime
import io

from django.db import transaction
from django.utils import timezone

from dieuhanh.accounts import services as account_services
from dieuhanh.accounts.models import Membership, Position, Role, User
from dieuhanh.audit.services import record
from dieuhanh.documents import services as doc_services
from dieuhanh.documents.models import Document, DocumentType, NumberSeries, Term
from dieuhanh.kernel.pdf import one_page_pdf
from dieuhanh.kernel.text import fold
from dieuhanh.signatures import demo as pki_demo
from dieuhanh.signatures.models import Credential, CredentialKind
from dieuhanh.units import services as unit_services
from dieuhanh.units.models import Unit, UnitKind

from .reference import ensure_reference_data

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
    ensure_reference_data()
    admin = bootstrap_admin(password)
    for name, rank in POSITION_RANKS.items():
        Position.objects.get_or_create(name=name, defaults={"rank": rank})
    committees = []
    root = _ensure_unit(admin, None, ORGANIZATION, committees)
    if not Membership.objects.active().filter(user=admin, role=Role.SYSTEM_ADMIN).exists():
        account_services.add_membership(actor=admin, user=admin, unit=root, role=Role.SYSTEM_ADMIN,
                                        position=Position.objects.get(name="Quản trị hệ thống"))
    _setup_documents(admin, [root] + [unit for _, unit in committees])
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


TERM_START = datetime.date(2025, 10, 16)  # the day after the provincial congresses of October 2025 closed


def _setup_documents(admin, committees):
    """Each committee gets its 2025-2030 term, Party numbering series (normal and secret) and this year's books."""
    year = timezone.localdate().year
    for unit in committees:
        if not Term.objects.filter(unit=unit).exists():
            doc_services.create_term(actor=admin, unit=unit, name="Nhiệm kỳ 2025-2030", starts_on=TERM_START)
        for secret in (False, True):
            if not NumberSeries.objects.filter(unit=unit, system="party", secret=secret,
                                               document_type__isnull=True).exists():
                doc_services.create_series(actor=admin, unit=unit, system="party", rule="term", secret=secret,
                                           name="Văn bản của Đảng" + (" (mật)" if secret else ""))
        doc_services.open_standard_registers(actor=admin, unit=unit, year=year)


def seed_demo_documents(password=DEMO_PASSWORD):
    """A few exchanged documents so the queues and registers are not empty; only once."""
    if Document.objects.exists():
        return 0
    clerk = User.objects.get(username="vanthu.hanoi")
    hanoi = Unit.objects.get(code="000.00.00.H01")
    targets = list(Unit.objects.filter(code__in=["000.00.00.H79", "000.00.00.H38", "000.01.00.H01",
                                                 "000.02.00.H01"]))
    samples = [
        ("Kết luận", "Kết luận của Ban Thường vụ Thành ủy về sắp xếp tổ chức bộ máy cấp xã", 0),
        ("Công văn", "Về việc điều động cán bộ tăng cường cho các đảng ủy phường", 1),
        ("Kế hoạch", "Kế hoạch tổ chức đại hội chi bộ nhiệm kỳ 2025-2027", 0),
        ("Thông báo", "Thông báo lịch làm việc của Thường trực Thành ủy", 3),
    ]
    issued = 0
    for type_name, subject, urgency in samples:
        blob = doc_services.store_file(actor=clerk, fileobj=io.BytesIO(_demo_pdf(subject)),
                                       content_type="application/pdf")
        doc = doc_services.create_outgoing(
            actor=clerk, unit=hanoi, document_type_id=DocumentType.objects.get(system="party", name=type_name).pk,
            subject=subject, urgency=urgency, signer_name=User.objects.get(username="lanhdao.hanoi").full_name,
            signer_position="Bí thư", authority="TM.", files=[{"sha256": blob.sha256, "name": "van-ban.pdf"}],
            recipients=[{"unit_id": u.pk} for u in targets],
        )
        doc_services.issue_document(actor=clerk, document=doc)
        issued += 1
    first = Document.objects.order_by("id").first()
    hcm_clerk = User.objects.get(username="vanthu.hcm")
    doc_services.accept_delivery(actor=hcm_clerk, delivery=first.deliveries.get(recipient_unit__code="000.00.00.H79"))
    return issued


def seed_demo_pki(password=DEMO_PASSWORD):
    """The demo PKI: a test CA with a local time-stamp authority, a personal certificate for every demo leader and
    deputy (PKCS#12 protected by the demo password) and an organization certificate for every committee; only what
    is missing is made, so re-running keeps the keys. Returns how many certificates were issued."""
    pki_demo.ensure_ca()
    made = 0
    have_people = set(Credential.objects.filter(kind=CredentialKind.PERSONAL, revoked_at__isnull=True)
                      .values_list("user_id", flat=True))
    signers = (Membership.objects.active().filter(role__in=[Role.LEADER, Role.DEPUTY])
               .exclude(user_id__in=have_people).select_related("user").order_by("user_id"))
    for user in {m.user_id: m.user for m in signers}.values():
        pki_demo.issue_personal(user, password)
        made += 1
    have_units = set(Credential.objects.filter(kind=CredentialKind.ORGANIZATION, revoked_at__isnull=True)
                     .values_list("unit_id", flat=True))
    committees = (Unit.objects.filter(memberships__role=Role.CLERK).exclude(pk__in=have_units).distinct()
                  .order_by("path"))
    for unit in committees:
        pki_demo.issue_organization(unit)
        made += 1
    return made


def _demo_pdf(text):
    """A minimal valid one-page PDF carrying ``text`` (ASCII-folded: the base-14 fonts lack Vietnamese)."""
    line = fold(text).replace("(", "[").replace(")", "]")
    return one_page_pdf(f"BT /F1 14 Tf 50 780 Td ({line}) Tj ET".encode())
