"""The drafting chain end to end at the service level: versions, opinions, the sign flow, PAdES signatures."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dieuhanh.audit.models import AuditEvent
from dieuhanh.documents import storage
from dieuhanh.documents.models import DeliveryStatus, DocumentStatus
from dieuhanh.drafting import services
from dieuhanh.drafting.models import DraftStatus, Signature, StepState, Taken
from dieuhanh.signatures import pades
from dieuhanh.signatures import services as sig_services
from dieuhanh.signatures.models import CheckOutcome, SignatureCheck

from .conftest import PASSPHRASE, sample_pdf


def read(blob):
    with storage.open_blob(blob) as fh:
        return fh.read()


def to_signed(d, draft):
    """Specialist -> deputy reviews -> leader signs."""
    step = services.submit(actor=d.spec, draft=draft, next_user_id=d.deputy.pk, next_action="review")
    step = services.act(actor=d.deputy, step=step, taken=Taken.APPROVE, comment="Đồng ý trình",
                        next_user_id=d.leader.pk, next_action="sign")
    services.act(actor=d.leader, step=step, taken=Taken.SIGN, passphrase=PASSPHRASE, position="Bí thư")
    draft.refresh_from_db()
    return draft


def test_full_chain_signs_issues_and_recipients_see_valid_signatures(drafting, django_capture_on_commit_callbacks):
    d = drafting
    draft = d.new_draft()
    assert draft.status == DraftStatus.NOT_SUBMITTED and draft.versions.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        draft = to_signed(d, draft)
        assert draft.status == DraftStatus.SIGNED
        personal = Signature.objects.get(draft=draft, organization=False)
        before, after = read(personal.blob_before), read(personal.blob_after)
        assert after.startswith(before) and len(after) > len(before)  # incremental update, nothing rewritten
        document = services.issue_draft(actor=d.clerk, draft=draft)
    draft.refresh_from_db()
    assert draft.status == DraftStatus.ISSUED and draft.document == document
    assert document.status == DocumentStatus.ISSUED and document.symbol == "01/QĐ-TU"
    assert document.signer_name == d.leader.full_name
    main = document.files.get(is_main=True)
    signed = read(main.blob)
    assert signed.startswith(after)
    results = pades.validate(signed, sig_services.trust_pems())
    assert [r["signer"] for r in results] == [d.leader.full_name, d.org.a.name]
    assert all(r["valid"] and r["intact"] and r["trusted"] and r["timestamped"] for r in results)
    assert results[-1]["covers_whole_file"]
    # the check made on issue is what the recipient sees
    check = SignatureCheck.objects.get(blob=main.blob)
    assert check.outcome == CheckOutcome.VALID
    delivery = document.deliveries.get(recipient_unit=d.org.b)
    assert delivery.status == DeliveryStatus.ARRIVED
    actions = list(AuditEvent.objects.filter(action__startswith="draft.").values_list("action", flat=True))
    assert actions == ["draft.create", "draft.submit", "draft.step.approve", "draft.step.sign", "draft.issue"]


def test_one_changed_byte_breaks_the_signature(drafting):
    d = drafting
    draft = to_signed(d, d.new_draft())
    signed = bytearray(read(Signature.objects.get(draft=draft).blob_after))
    middle = len(signed) // 3
    signed[middle] = (signed[middle] + 1) % 256
    blob = d.upload(content=bytes(signed))
    check = sig_services.check_blob(actor=d.clerk, blob=blob)
    assert check.outcome == CheckOutcome.INVALID
    assert not check.results[0]["intact"] and "changed" in check.results[0]["problem"]


def test_signature_from_an_untrusted_ca_is_not_valid(drafting, settings):
    from dieuhanh.signatures import pki

    d = drafting
    rogue = pki.create_ca("Rogue CA")
    cert = pki.issue(rogue, d.leader.full_name)
    signed = pades.sign(sample_pdf(), pades.software_signer(cert.key, cert.certificate, [rogue.certificate]),
                        field_name="X", lines=["x"])
    check = sig_services.check_blob(actor=d.clerk, blob=d.upload(content=signed))
    assert check.outcome == CheckOutcome.INVALID and check.results[0]["intact"]
    assert not check.results[0]["trusted"]


def test_wrong_passphrase_writes_nothing(drafting):
    d = drafting
    draft = d.new_draft()
    step = services.submit(actor=d.spec, draft=draft, next_user_id=d.leader.pk, next_action="sign")
    with pytest.raises(ValidationError) as exc:
        services.act(actor=d.leader, step=step, taken=Taken.SIGN, passphrase="wrong")
    assert "passphrase" in exc.value.message_dict
    step.refresh_from_db()
    assert step.state == StepState.CURRENT and not Signature.objects.exists()
    assert not AuditEvent.objects.filter(action="draft.step.sign").exists()


def test_only_the_assignee_acts_and_only_leaders_sign(drafting):
    d = drafting
    draft = d.new_draft()
    step = services.submit(actor=d.spec, draft=draft, next_user_id=d.deputy.pk, next_action="review")
    with pytest.raises(PermissionDenied):
        services.act(actor=d.leader, step=step, taken=Taken.APPROVE, next_user_id=d.deputy.pk)
    with pytest.raises(PermissionDenied):
        services.act(actor=d.org.leader_b, step=step, taken=Taken.APPROVE, next_user_id=d.deputy.pk)
    with pytest.raises(ValidationError) as exc:  # a specialist cannot be routed a signature
        services.act(actor=d.deputy, step=step, taken=Taken.APPROVE, next_user_id=d.spec.pk, next_action="sign")
    assert "next_user_id" in exc.value.message_dict
    with pytest.raises(ValidationError):  # someone of another province cannot be in A's flow
        services.act(actor=d.deputy, step=step, taken=Taken.APPROVE, next_user_id=d.org.leader_b.pk)


def test_withdraw_until_the_next_person_acts(drafting):
    d = drafting
    draft = d.new_draft()
    step = services.submit(actor=d.spec, draft=draft, next_user_id=d.deputy.pk, next_action="sign")
    # the deputy signs and passes to the leader, who has not acted yet: withdrawal is allowed
    nxt = services.act(actor=d.deputy, step=step, taken=Taken.SIGN, passphrase=PASSPHRASE,
                       next_user_id=d.leader.pk, next_action="sign")
    signature = Signature.objects.get(draft=draft)
    with pytest.raises(ValidationError):
        services.withdraw_signature(actor=d.deputy, signature=signature, reason="")
    with pytest.raises(PermissionDenied):
        services.withdraw_signature(actor=d.leader, signature=signature, reason="không phải của tôi")
    again = services.withdraw_signature(actor=d.deputy, signature=signature, reason="Sửa lại trích yếu")
    assert again.pk == step.pk and again.state == StepState.CURRENT
    nxt.refresh_from_db()
    assert nxt.state == StepState.CANCELLED
    assert services.current_pdf(draft) == draft.versions.get().pdf_blob
    # signs again, the leader signs after: now the deputy can no longer withdraw
    nxt = services.act(actor=d.deputy, step=again, taken=Taken.SIGN, passphrase=PASSPHRASE,
                       next_user_id=d.leader.pk, next_action="sign")
    services.act(actor=d.leader, step=nxt, taken=Taken.SIGN, passphrase=PASSPHRASE)
    first = Signature.objects.filter(draft=draft, signer=d.deputy, withdrawn_at__isnull=True).get()
    with pytest.raises(ValidationError):
        services.withdraw_signature(actor=d.deputy, signature=first, reason="muộn")
    # both signatures stand in the final file, each valid
    results = pades.validate(read(services.current_pdf(draft)), sig_services.trust_pems())
    assert [r["signer"] for r in results] == [d.deputy.full_name, d.leader.full_name]
    assert all(r["valid"] for r in results)


def test_leader_withdraws_while_the_signed_draft_awaits_its_number(drafting):
    d = drafting
    draft = to_signed(d, d.new_draft())
    signature = Signature.objects.get(draft=draft)
    step = services.withdraw_signature(actor=d.leader, signature=signature, reason="Cần bổ sung")
    draft.refresh_from_db()
    assert draft.status == DraftStatus.IN_PROCESS and step.state == StepState.CURRENT
    with pytest.raises(PermissionDenied):  # back in the flow: no longer in the clerks' hands
        services.issue_draft(actor=d.clerk, draft=draft)


def test_return_to_drafter_then_resubmit_with_a_new_version(drafting):
    d = drafting
    draft = d.new_draft()
    step = services.submit(actor=d.spec, draft=draft, next_user_id=d.deputy.pk)
    with pytest.raises(ValidationError) as exc:
        services.return_draft(actor=d.deputy, step=step, reason=" ")
    assert "reason" in exc.value.message_dict
    services.return_draft(actor=d.deputy, step=step, reason="Sửa căn cứ pháp lý")
    draft.refresh_from_db()
    assert draft.status == DraftStatus.RETURNED
    version = services.revise_draft(actor=d.spec, draft=draft, blob=d.upload(content=sample_pdf(
        "Dự thảo quyết định về việc điều động cán bộ\nCăn cứ Điều lệ Đảng")), subject="Quyết định điều động cán bộ",
        note="Bổ sung căn cứ")
    assert version.number == 2
    changes = dict((f, (a, b)) for f, a, b in services_metadata_diff(draft))
    assert changes["subject"] == ("Quyết định về việc điều động cán bộ", "Quyết định điều động cán bộ")
    from dieuhanh.drafting.files import text_diff

    diff = text_diff(draft.versions.get(number=1).text, version.text)
    assert ("+", "Căn cứ Điều lệ Đảng") in diff
    services.submit(actor=d.spec, draft=draft, next_user_id=d.deputy.pk)
    draft.refresh_from_db()
    assert draft.status == DraftStatus.RESUBMITTED and draft.round == 2


def services_metadata_diff(draft):
    from dieuhanh.drafting.files import metadata_diff

    v1, v2 = draft.versions.order_by("number")[:2]
    return metadata_diff(v1.metadata, v2.metadata)


def test_roll_back_to_an_earlier_step(drafting):
    d = drafting
    draft = d.new_draft()
    first = services.submit(actor=d.spec, draft=draft, next_user_id=d.deputy.pk)
    second = services.act(actor=d.deputy, step=first, taken=Taken.INITIAL, next_user_id=d.leader.pk,
                          next_action="sign")
    with pytest.raises(ValidationError):
        services.return_draft(actor=d.leader, step=second, reason="x", to_step_id=second.pk)
    again = services.return_draft(actor=d.leader, step=second, reason="Đề nghị xem lại số liệu",
                                  to_step_id=first.pk)
    assert again.assignee == d.deputy and again.state == StepState.CURRENT
    draft.refresh_from_db()
    assert draft.status == DraftStatus.IN_PROCESS
    assert list(draft.steps.values_list("taken", flat=True)) == ["initial", "rollback", ""]


def test_secret_drafts_stay_in_the_unit_and_go_back_only_to_the_drafter(drafting):
    d = drafting
    for user in (d.spec, d.deputy, d.leader):
        user.clearance = 1
        user.save()
    draft = d.new_draft(confidentiality=1, recipients=[{"unit_id": d.org.b.pk, "channel": "paper"}])
    with pytest.raises(ValidationError) as exc:
        services.ask_opinions(actor=d.spec, draft=draft, due_date=datetime.date.today(), unit_ids=[d.org.b.pk])
    assert "unit_ids.0" in exc.value.message_dict
    with pytest.raises(ValidationError):  # inside the unit but not cleared
        services.ask_opinions(actor=d.spec, draft=draft, due_date=datetime.date.today(), user_ids=[d.clerk.pk - 0]
                              if d.clerk.clearance == 0 else [d.org.uadmin_a.pk])
    first = services.submit(actor=d.spec, draft=draft, next_user_id=d.deputy.pk)
    second = services.act(actor=d.deputy, step=first, taken=Taken.APPROVE, next_user_id=d.leader.pk,
                          next_action="sign")
    with pytest.raises(ValidationError) as exc:
        services.return_draft(actor=d.leader, step=second, reason="x", to_step_id=first.pk)
    assert "to_step_id" in exc.value.message_dict


def test_opinions_are_given_once_by_the_addressees(drafting):
    d = drafting
    draft = d.new_draft()
    consultation = services.ask_opinions(actor=d.spec, draft=draft, due_date=datetime.date.today(),
                                         user_ids=[d.deputy.pk], unit_ids=[d.org.b.pk], question="Góp ý giúp")
    draft.refresh_from_db()
    assert draft.status == DraftStatus.CONSULTING
    mine, theirs = consultation.opinions.order_by("id")
    with pytest.raises(PermissionDenied):
        services.give_opinion(actor=d.org.leader_b, opinion=mine, answer="không phải tôi")
    services.give_opinion(actor=d.deputy, opinion=mine, answer="Nhất trí")
    with pytest.raises(ValidationError):
        services.give_opinion(actor=d.deputy, opinion=mine, answer="Lần hai")
    services.give_opinion(actor=d.org.clerk_b, opinion=theirs, answer="Đề nghị bổ sung nơi nhận")
    with pytest.raises(ValidationError):
        services.give_opinion(actor=d.org.leader_b, opinion=theirs, answer="Thêm")
    assert sorted(consultation.opinions.values_list("answer", flat=True)) == ["Nhất trí",
                                                                             "Đề nghị bổ sung nơi nhận"]


def test_template_route_and_an_inserted_format_check(drafting):
    d = drafting
    template = services.save_template(actor=d.spec, unit=d.org.a, name="Quyết định nhân sự", steps=[
        {"user_id": d.deputy.pk, "action": "review"}, {"user_id": d.leader.pk, "action": "sign"}])
    draft = d.new_draft()
    first = services.submit(actor=d.spec, draft=draft, template_id=template.pk)
    assert first.assignee == d.deputy
    check = services.act(actor=d.deputy, step=first, taken=Taken.APPROVE, next_user_id=d.clerk.pk,
                         next_action="format_check")
    assert check.assignee == d.clerk and check.order == 2
    sign = services.act(actor=d.clerk, step=check, taken=Taken.APPROVE, comment="Đúng thể thức")
    assert sign.assignee == d.leader and sign.order == 3
    services.act(actor=d.leader, step=sign, taken=Taken.SIGN, passphrase=PASSPHRASE)
    draft.refresh_from_db()
    assert draft.status == DraftStatus.SIGNED


def test_clerk_refuses_a_number_and_the_draft_goes_back(drafting):
    d = drafting
    draft = to_signed(d, d.new_draft())
    with pytest.raises(PermissionDenied):
        services.refuse_number(actor=d.org.clerk_b, draft=draft, reason="x")
    services.refuse_number(actor=d.clerk, draft=draft, reason="Sai thể thức nơi nhận")
    draft.refresh_from_db()
    assert draft.status == DraftStatus.NUMBER_REFUSED


def test_external_signer_hook_signs_without_the_server_holding_the_key(drafting, settings):
    """A USB token or remote service: the server only has the certificate and asks the hook for the raw value."""
    from dieuhanh.drafting.tests import token_hook
    from dieuhanh.signatures import demo, pki

    d = drafting
    ca = demo.ensure_ca()
    token_hook.KEY = pki.issue(ca, d.deputy.full_name)
    settings.DIEUHANH_EXTERNAL_SIGNER = "dieuhanh.drafting.tests.token_hook.sign"
    credential = sig_services.register_external_credential(actor=d.deputy, certificate_pem=token_hook.KEY.pem)
    assert credential.external and credential.p12 is None
    draft = d.new_draft()
    step = services.submit(actor=d.spec, draft=draft, next_user_id=d.deputy.pk, next_action="sign")
    services.act(actor=d.deputy, step=step, taken=Taken.SIGN)
    results = pades.validate(read(services.current_pdf(draft)), sig_services.trust_pems())
    assert results[0]["signer"] == d.deputy.full_name and results[0]["valid"]
    assert token_hook.CALLS == 1


def test_sign_flow_notifications_read_in_the_readers_language(drafting):
    from django.utils import translation

    from dieuhanh.notifications.models import Notification

    d = drafting
    draft = d.new_draft()
    services.submit(actor=d.spec, draft=draft, next_user_id=d.deputy.pk, next_action="review")
    note = Notification.objects.filter(user=d.deputy).latest("id")
    assert note.params == {"draft": f"«{draft.subject[:120]}»", "action": {"label": "Review"}}
    with translation.override("vi"):
        assert note.text() == f"Dự thảo «{draft.subject[:120]}» chờ anh/chị xử lý (Xem xét)"
    with translation.override("en"):
        assert note.text() == f"Draft «{draft.subject[:120]}» awaits you (Review)"
