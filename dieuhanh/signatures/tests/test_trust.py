"""Issue 14, item 4: a signing credential must chain to a trusted root of the installation and name its holder
(or carry an administrator's recorded exception), and a document whose signatures do not validate is not issued."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from conftest import make_user
from dieuhanh.audit.models import AuditEvent
from dieuhanh.documents.models import Document
from dieuhanh.drafting import services as drafting
from dieuhanh.drafting.models import DraftStatus
from dieuhanh.drafting.tests.conftest import PASSPHRASE
from dieuhanh.drafting.tests.test_flow import to_signed
from dieuhanh.signatures import demo, pki
from dieuhanh.signatures import services as sig
from dieuhanh.signatures.models import Credential, CredentialKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def d(drafting):
    return drafting


def foreign_ca():
    return pki.create_ca("Some Other CA", organization="Elsewhere")


def errors(exc):
    return exc.value.message_dict


def test_personal_p12_from_an_untrusted_ca_is_refused_naming_the_chain(d):
    issued = pki.issue(foreign_ca(), d.spec.full_name)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        sig.import_personal_credential(actor=d.spec, p12=issued.p12("k"), passphrase="k")
    assert "trusted root" in errors(exc)["p12"][0]
    assert not Credential.objects.filter(user=d.spec).exists()


def test_personal_p12_naming_someone_else_is_refused(d):
    issued = pki.issue(demo.ensure_ca(), d.leader.full_name)  # a trusted certificate, but the leader's name
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        sig.import_personal_credential(actor=d.spec, p12=issued.p12("k"), passphrase="k")
    assert d.leader.full_name in errors(exc)["p12"][0]
    assert not Credential.objects.filter(user=d.spec).exists()


def test_subject_is_compared_folded_and_nfc(d):
    # the same name without diacritics and in other case is the same person (CAs often write names unaccented)
    issued = pki.issue(demo.ensure_ca(), "TRAN THU HA")
    credential = sig.import_personal_credential(actor=d.spec, p12=issued.p12("k"), passphrase="k")
    assert sig.current_credential(user=d.spec) == credential


def test_mismatch_waits_for_an_administrators_recorded_approval(d):
    admin = make_user("root.sig", d.org.a, "system_admin", full_name="Quản trị")
    issued = pki.issue(demo.ensure_ca(), "Trần T. Hà")
    credential = sig.import_personal_credential(actor=d.spec, p12=issued.p12("k"), passphrase="k",
                                                request_approval=True)
    assert credential.problem and credential.approved_at is None
    assert sig.current_credential(user=d.spec) is None  # not usable before the approval
    with pytest.raises(PermissionDenied):
        sig.approve_credential(actor=d.leader, credential=credential, reason="Cùng một người")
    with pytest.raises(ValidationError) as exc:
        sig.approve_credential(actor=admin, credential=credential, reason="  ")
    assert "reason" in errors(exc)
    sig.approve_credential(actor=admin, credential=credential, reason="Đã đối chiếu CCCD: cùng một người")
    assert sig.current_credential(user=d.spec) == credential
    event = AuditEvent.objects.filter(action="signature.credential.approve").latest("id")
    assert event.actor_id == admin.pk
    assert event.data["reason"] == "Đã đối chiếu CCCD: cùng một người"
    assert event.data["problem"] == credential.problem and event.data["fingerprint"] == credential.fingerprint


def test_an_untrusted_chain_cannot_be_approved_away(d):
    issued = pki.issue(foreign_ca(), d.spec.full_name)
    with pytest.raises(ValidationError) as exc:
        sig.import_personal_credential(actor=d.spec, p12=issued.p12("k"), passphrase="k", request_approval=True)
    assert "p12" in errors(exc)


def test_external_certificate_and_organization_seal_pass_the_same_rule(d):
    ca = foreign_ca()
    with pytest.raises(ValidationError) as exc:
        sig.register_external_credential(actor=d.spec, certificate_pem=pki.issue(ca, d.spec.full_name).pem)
    assert "certificate_pem" in errors(exc)
    with pytest.raises(ValidationError) as exc:
        sig.register_external_credential(actor=d.spec,
                                         certificate_pem=pki.issue(demo.ensure_ca(), "Người khác").pem)
    assert "certificate_pem" in errors(exc)
    admin = make_user("root.seal", d.org.a, "system_admin")
    seal = pki.issue(ca, d.org.a.name, organization=d.org.a.name)
    with pytest.raises(ValidationError) as exc:
        sig.import_organization_credential(actor=admin, unit=d.org.a, p12=seal.p12("k"), passphrase="k")
    assert "p12" in errors(exc)
    other = pki.issue(demo.ensure_ca(), d.org.b.name, organization=d.org.b.name)
    with pytest.raises(ValidationError) as exc:
        sig.import_organization_credential(actor=admin, unit=d.org.a, p12=other.p12("k"), passphrase="k")
    assert "p12" in errors(exc)
    good = pki.issue(demo.ensure_ca(), d.org.a.name, organization=d.org.a.name)
    assert sig.import_organization_credential(actor=admin, unit=d.org.a, p12=good.p12("k"), passphrase="k")


def test_a_root_listed_in_trust_roots_setting_is_trusted(d, settings, tmp_path):
    ca = foreign_ca()
    path = tmp_path / "root.pem"
    path.write_text(ca.pem)
    settings.DIEUHANH_TRUST_ROOTS = [str(path)]
    credential = sig.import_personal_credential(actor=d.spec, p12=pki.issue(ca, d.spec.full_name).p12("k"),
                                                passphrase="k")
    assert sig.current_credential(user=d.spec) == credential


def test_intermediate_in_the_p12_chain_reaches_the_root(d):
    root = demo.ensure_ca()
    inter = pki.create_ca("Intermediate")  # self-signed: does not reach the root, so it is not trusted
    leaf = pki.issue(inter, d.spec.full_name)
    with pytest.raises(ValidationError):
        sig.import_personal_credential(actor=d.spec, p12=leaf.p12("k", chain=[inter.certificate]), passphrase="k")
    assert root  # the demo root stays the only anchor


def test_api_refuses_an_untrusted_p12_with_json_naming_the_field(d, client):
    client.force_login(d.spec)
    issued = pki.issue(foreign_ca(), d.spec.full_name)
    r = client.post("/api/v1/signatures/credentials", {"file": io.BytesIO(issued.p12("k")), "passphrase": "k"},
                    HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400 and r["Content-Type"].startswith("application/json")
    assert r.json()["errors"][0]["field"] == "p12"


def test_api_approval_by_an_administrator(d, client):
    admin = make_user("root.api", d.org.a, "system_admin")
    issued = pki.issue(demo.ensure_ca(), "Tên khác hẳn")
    client.force_login(d.spec)
    r = client.post("/api/v1/signatures/credentials", {"file": io.BytesIO(issued.p12("k")), "passphrase": "k",
                                                       "request_approval": "true"})
    assert r.status_code == 201 and r.json()["approved"] is False and r.json()["problem"]
    cid = r.json()["id"]
    assert client.post(f"/api/v1/signatures/credentials/{cid}/approve", {"reason": "x"},
                       content_type="application/json").status_code == 403
    client.force_login(admin)
    r = client.post(f"/api/v1/signatures/credentials/{cid}/approve", {"reason": ""},
                    content_type="application/json")
    assert r.status_code in (400, 422)
    r = client.post(f"/api/v1/signatures/credentials/{cid}/approve", {"reason": "Đã đối chiếu"},
                    content_type="application/json")
    assert r.status_code == 200 and r.json()["approved"] is True


def _legacy_untrusted_credential(user):
    """A credential stored before the rule existed (or by a path that skipped it): its chain is not trusted."""
    issued = pki.issue(foreign_ca(), user.full_name)
    Credential.objects.filter(user=user, kind=CredentialKind.PERSONAL).update(revoked_at="2026-01-01T00:00Z")
    return sig.credential_row(CredentialKind.PERSONAL, issued.certificate, user=user,
                               p12=issued.p12(PASSPHRASE))


def test_issue_is_refused_when_a_signature_does_not_validate(d):
    _legacy_untrusted_credential(d.leader)
    draft = to_signed(d, d.new_draft())
    before = Document.objects.count()
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        drafting.issue_draft(actor=d.clerk, draft=draft, signer_position="Bí thư")
    message = errors(exc)["signatures"][0]
    assert d.leader.full_name in message and "trusted" in message
    draft.refresh_from_db()
    assert draft.status == DraftStatus.SIGNED and Document.objects.count() == before


def test_issue_with_trusted_signatures_still_works(d):
    draft = to_signed(d, d.new_draft())
    document = drafting.issue_draft(actor=d.clerk, draft=draft, signer_position="Bí thư")
    assert document.symbol


def _signed_pdf(credential):
    from dieuhanh.drafting.tests.conftest import sample_pdf
    from dieuhanh.signatures import pades

    return sig.sign_bytes(sample_pdf(), credential=credential, passphrase=PASSPHRASE, field_name="Ky",
                          lines=["Ký bởi"], placement=pades.Placement(slot=0))


def test_direct_issue_of_a_pdf_whose_signature_does_not_validate_is_refused(d):
    """The same rule for a document issued without a draft: a signed PDF uploaded to it must validate."""
    from dieuhanh.documents import services as doc_services
    from dieuhanh.documents.models import DocumentStatus

    bad = doc_services.store_file(actor=d.clerk, fileobj=io.BytesIO(_signed_pdf(_legacy_untrusted_credential(
        d.leader))), content_type="application/pdf")
    document = doc_services.create_outgoing(
        actor=d.clerk, unit=d.org.a, document_type_id=d.new_draft().document_type_id, subject="Về việc A",
        files=[{"sha256": bad.sha256, "name": "qd.pdf", "is_main": True}], recipients=[{"unit_id": d.org.b.pk}],
        signer_name=d.leader.full_name, signer_position="Bí thư")
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        doc_services.issue_document(actor=d.clerk, document=document)
    message = errors(exc)["signatures"][0]
    assert message.startswith("qd.pdf: ") and d.leader.full_name in message
    document.refresh_from_db()
    assert document.status == DocumentStatus.APPROVED and not document.number


def test_direct_issue_of_a_pdf_with_a_trusted_signature_works(d):
    from dieuhanh.documents import services as doc_services

    good = doc_services.store_file(actor=d.clerk, fileobj=io.BytesIO(_signed_pdf(sig.current_credential(
        user=d.leader))), content_type="application/pdf")
    document = doc_services.create_outgoing(
        actor=d.clerk, unit=d.org.a, document_type_id=d.new_draft().document_type_id, subject="Về việc B",
        files=[{"sha256": good.sha256, "name": "qd.pdf", "is_main": True}], recipients=[{"unit_id": d.org.b.pk}],
        signer_name=d.leader.full_name, signer_position="Bí thư")
    assert doc_services.issue_document(actor=d.clerk, document=document).number


def test_administrators_list_the_credentials_awaiting_approval(d, client):
    admin = make_user("root.list", d.org.a, "system_admin")
    pending = sig.import_personal_credential(actor=d.spec, p12=pki.issue(demo.ensure_ca(), "Ai đó").p12("k"),
                                             passphrase="k", request_approval=True)
    client.force_login(d.spec)
    assert client.get("/api/v1/signatures/credentials/pending").status_code == 403
    client.force_login(admin)
    r = client.get("/api/v1/signatures/credentials/pending?limit=1")
    assert r.status_code == 200
    body = r.json()
    assert [c["id"] for c in body["items"]] == [pending.pk] and body["items"][0]["holder_id"] == d.spec.pk
    assert body["items"][0]["problem"] == pending.problem and body["next_cursor"] is None
    sig.approve_credential(actor=admin, credential=pending, reason="Đã đối chiếu")
    assert client.get("/api/v1/signatures/credentials/pending").json()["items"] == []
