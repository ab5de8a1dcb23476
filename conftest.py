"""Shared fixtures. Background jobs run inline and passwords hash fast in tests (argon2 is tested on its own)."""

import datetime
import threading
from types import SimpleNamespace

import pytest
from django.db import connections


@pytest.fixture(autouse=True, scope="session")
def _huey_immediate():
    """Jobs run at once, in memory, instead of queueing to the SQLite/Redis queue."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield


@pytest.fixture(autouse=True)
def _fast_hasher(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # two-factor enforcement has its own tests (accounts/tests/test_two_factor.py)
    settings.DIEUHANH_2FA_ENFORCED = False
    # each test its own audit anchor file (decision 0036), never the installation's var/ one
    settings.DIEUHANH_AUDIT_ANCHOR_FILE = str(tmp_path / "audit-anchor.jsonl")


PASSWORD = "Test-pass-2026"


def make_user(username, unit=None, role=None, **extra):
    from dieuhanh.accounts.models import Membership, User

    user = User(username=username, full_name=extra.pop("full_name", username.title()), **extra)
    user.set_password(PASSWORD)
    user.save()
    if unit is not None:
        Membership.objects.create(user=user, unit=unit, role=role)
    return user


def run_at_once(jobs):
    """Run each job in its own thread (its own database connection), all released at once by a barrier; returns
    (results in job order, exceptions raised). For races that only PostgreSQL runs truly in parallel."""
    barrier = threading.Barrier(len(jobs))
    results, errors = [None] * len(jobs), []

    def run(i, job):
        try:
            barrier.wait(timeout=30)
            results[i] = job()
        except Exception as exc:  # noqa: BLE001 - collected and asserted by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors


@pytest.fixture
def org(db):
    """A small organization: root R with provinces A and B; A has commune A1 and department AD; B has B1.

    People: a system admin, and in A/B a clerk, a leader, a unit admin; a specialist in A1.
    """
    from dieuhanh.accounts.models import Role
    from dieuhanh.audit.models import AuditChain, AuditEvent
    from dieuhanh.operations.reference import ensure_reference_data
    from dieuhanh.units import services
    from dieuhanh.units.models import UnitKind

    ensure_reference_data()  # a transactional test before this one may have flushed the seeded rows
    admin = make_user("root", is_superuser=True)
    day = datetime.date(2025, 7, 1)

    def unit(parent, code, name, short, kind):
        return services.create_unit(actor=admin, parent=parent, code=code, name=name, short_name=short,
                                    kind=kind, effective_from=day)

    r = unit(None, "000.00.00.G01", "Ban Chấp hành Trung ương", "TW", UnitKind.CENTRAL)
    a = unit(r, "000.00.00.H01", "Thành ủy Hà Nội", "TU", UnitKind.PROVINCE)
    b = unit(r, "000.00.00.H79", "Thành ủy Thành phố Hồ Chí Minh", "TU", UnitKind.PROVINCE)
    a1 = unit(a, "000.01.00.H01", "Đảng ủy phường Ba Đình", "ĐU", UnitKind.COMMUNE)
    ad = unit(a, "000.00.01.H01", "Văn phòng Thành ủy Hà Nội", "VPTU", UnitKind.DEPARTMENT)
    b1 = unit(b, "000.01.00.H79", "Đảng ủy phường Sài Gòn", "ĐU", UnitKind.COMMUNE)
    # tests count their own events: start with empty audit chains
    AuditEvent.objects.all().delete()
    AuditChain.objects.all().delete()
    return SimpleNamespace(
        admin=admin, root=r, a=a, b=b, a1=a1, ad=ad, b1=b1,
        clerk_a=make_user("clerk.a", a, Role.CLERK),
        leader_a=make_user("leader.a", a, Role.LEADER),
        uadmin_a=make_user("uadmin.a", a, Role.UNIT_ADMIN),
        spec_a1=make_user("spec.a1", a1, Role.SPECIALIST),
        clerk_b=make_user("clerk.b", b, Role.CLERK),
        leader_b=make_user("leader.b", b, Role.LEADER),
        uadmin_b=make_user("uadmin.b", b, Role.UNIT_ADMIN),
    )


@pytest.fixture
def api_client(client):
    """A test client that speaks JSON and authenticates with a bearer token via ``as_user``."""
    import json

    from dieuhanh.accounts.services import issue_token

    class ApiClient:
        def __init__(self):
            self.headers = {}

        def as_user(self, user):
            from django.db import transaction

            with transaction.atomic():
                _, raw = issue_token(actor=user)
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
            return self

        def anonymous(self):
            self.headers = {}
            return self

        def call(self, method, url, body=None, raw=None, **extra):
            data = raw if raw is not None else (json.dumps(body) if body is not None else None)
            kwargs = {"content_type": "application/json"} if data is not None else {}
            response = getattr(client, method)(url, data, **kwargs, **self.headers, **extra) \
                if data is not None else getattr(client, method)(url, **self.headers, **extra)
            return response

        def get(self, url, **extra):
            return self.call("get", url, **extra)

        def post(self, url, body=None, **extra):
            return self.call("post", url, body, **extra)

        def patch(self, url, body=None, **extra):
            return self.call("patch", url, body, **extra)

        def delete(self, url, **extra):
            return self.call("delete", url, **extra)

    return ApiClient()
