import pytest
from django.core.management import call_command

from dieuhanh.accounts.models import Membership, Role, User
from dieuhanh.documents.models import Delivery, Document, Register
from dieuhanh.operations.demo import DEMO_PASSWORD, seed_demo, seed_demo_documents
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


@pytest.mark.django_db
def test_demo_pki_gives_every_signer_and_committee_a_certificate_once(settings, tmp_path):
    from dieuhanh.operations.demo import seed_demo_pki
    from dieuhanh.signatures import pki
    from dieuhanh.signatures.models import Credential, CredentialKind, TrustAnchor

    settings.MEDIA_ROOT = tmp_path
    seed_demo()
    made = seed_demo_pki()
    signers = set(Membership.objects.active().filter(role__in=[Role.LEADER, Role.DEPUTY])
                  .values_list("user_id", flat=True))
    personal = Credential.objects.filter(kind=CredentialKind.PERSONAL, revoked_at__isnull=True)
    assert set(personal.values_list("user_id", flat=True)) == signers
    orgs = set(Credential.objects.filter(kind=CredentialKind.ORGANIZATION, revoked_at__isnull=True)
               .values_list("unit_id", flat=True))
    assert Unit.objects.get(code="000.00.00.H01").pk in orgs and made == len(signers) + len(orgs)
    assert TrustAnchor.objects.count() == 1 and Credential.objects.filter(kind=CredentialKind.TSA).count() == 1
    # the leader's key opens with the demo password and chains to the demo CA
    leader = User.objects.get(username="lanhdao.hanoi")
    key, cert, chain = pki.load_p12(bytes(personal.get(user=leader).p12), DEMO_PASSWORD)
    assert chain and leader.full_name in pki.describe(cert)["subject"]
    assert seed_demo_pki() == 0  # nothing replaced on a second run
