import pytest
from django.core.management import call_command

from dieuhanh.accounts.models import Membership, Role, User
from dieuhanh.core.demo import DEMO_PASSWORD, seed_demo, seed_demo_documents
from dieuhanh.documents.models import Delivery, Document, Register
from dieuhanh.units.models import Unit, UnitKind


@pytest.mark.django_db
def test_demo_is_realistic_and_idempotent():
    logins = seed_demo()
    counts = {kind: Unit.objects.filter(kind=kind).count() for kind in UnitKind.values}
    assert counts["central"] == 1 and counts["province"] == 3
    assert counts["commune"] >= 6 and counts["cell"] >= 6
    assert counts["front"] >= 1 and counts["mass_org"] == 1 and counts["department"] >= 5
    for unit in Unit.objects.filter(kind__in=["province", "commune"]):
        roles = set(Membership.objects.active().filter(unit=unit).values_list("role", flat=True))
        assert {Role.CLERK, Role.LEADER, Role.DEPUTY, Role.SPECIALIST} <= roles, unit.name
        assert Register.objects.filter(unit=unit).count() == 4
    clerk = User.objects.get(username="vanthu.hanoi").full_name
    assert ("vanthu.hanoi", clerk, str(Role.CLERK.label), "Thành ủy Hà Nội") in logins
    before = (Unit.objects.count(), User.objects.count(), Membership.objects.count(), Register.objects.count())
    seed_demo()
    assert before == (Unit.objects.count(), User.objects.count(), Membership.objects.count(),
                      Register.objects.count())
    assert User.objects.get(username="vanthu.hanoi").check_password(DEMO_PASSWORD)


@pytest.mark.django_db
def test_demo_documents_are_exchanged_once(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    seed_demo()
    assert seed_demo_documents() == 4
    assert seed_demo_documents() == 0
    assert Document.objects.count() == 4
    assert set(Document.objects.values_list("symbol", flat=True)) == {"01-KL/TU", "01-CV/TU", "01-KH/TU", "01-TB/TU"}
    assert Delivery.objects.filter(status="03").count() == 1


@pytest.mark.django_db
def test_demo_command_without_server(capsys, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("demo", "--no-serve")
    out = capsys.readouterr().out
    assert "vanthu.hanoi" in out and DEMO_PASSWORD in out


@pytest.mark.django_db
def test_seed_command_builds_a_tree(capsys):
    call_command("seed", "--units", "500", "--branching", "7")
    root = Unit.objects.get(code__startswith="S", depth=1)
    assert Unit.objects.filter(path__startswith=root.path).count() == 500
    assert "Created 500 units" in capsys.readouterr().out


def test_console_script_runs_management_commands(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "DIEUHANH_VAR_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run([sys.executable, "-m", "dieuhanh", "help", "demo"], capture_output=True, text=True,
                            env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "--no-serve" in result.stdout
