"""The drafting pages: the chain clicked through with forms, readable errors, and nothing shown to outsiders."""

import io

from dieuhanh.documents.tests.conftest import doc_type
from dieuhanh.drafting.models import Draft, DraftStatus

from .conftest import PASSPHRASE, sample_pdf


def post(client, user, url, data):
    client.force_login(user)
    return client.post(url, data)


def test_chain_through_the_pages(drafting, client, django_capture_on_commit_callbacks):
    d = drafting
    client.force_login(d.spec)
    assert client.get("/drafts/new/").status_code == 200
    upload = io.BytesIO(sample_pdf())
    upload.name = "du-thao.pdf"
    r = client.post(f"/drafts/new/?unit={d.org.a.pk}", {
        "document_type": doc_type("Quyết định").pk, "subject": "Quyết định về công tác cán bộ", "urgency": 0,
        "confidentiality": 0, "recipients": [str(d.org.b.pk)], "file": upload})
    assert r.status_code == 302, r.content.decode()[:2000]
    draft = Draft.objects.get()
    url = f"/drafts/{draft.pk}/"
    assert "Quyết định về công tác cán bộ" in client.get(url).content.decode()
    r = client.post(url, {"action": "submit", "next_user": d.deputy.pk, "next_action": "review"})
    assert r.status_code == 302
    r = post(client, d.deputy, url, {"action": "approve", "next_user": d.leader.pk, "next_action": "sign"})
    assert r.status_code == 302
    client.force_login(d.leader)
    page = client.get(url).content.decode()
    assert 'id="sign"' in page
    r = client.post(url, {"action": "sign", "passphrase": "sai"})
    assert r.status_code == 400  # readable message, nothing signed
    draft.refresh_from_db()
    assert draft.status == DraftStatus.IN_PROCESS
    r = client.post(url, {"action": "sign", "passphrase": PASSPHRASE, "position": "Bí thư"})
    assert r.status_code == 302
    r = client.get(f"/drafts/{draft.pk}/pdf/")
    assert r["Content-Type"] == "application/pdf" and b"/ByteRange" in r.getvalue()
    client.force_login(d.clerk)
    assert 'id="issue"' in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url, {"action": "issue", "signer_position": "Bí thư", "authority": "TM."})
    assert r.status_code == 302
    draft.refresh_from_db()
    assert draft.status == DraftStatus.ISSUED
    client.force_login(d.org.clerk_b)
    page = client.get(f"/documents/{draft.document_id}/").content.decode()
    assert 'data-outcome="valid"' in page and d.leader.full_name in page


def test_outsiders_get_404_and_bad_actions_a_message(drafting, client):
    d = drafting
    draft = d.new_draft()
    for user in (d.org.leader_b, d.org.spec_a1, d.clerk):
        client.force_login(user)
        assert client.get(f"/drafts/{draft.pk}/").status_code == 404
        assert client.get(f"/drafts/{draft.pk}/pdf/").status_code == 404
        assert client.post(f"/drafts/{draft.pk}/", {"action": "cancel", "reason": "x"}).status_code == 404
    r = post(client, d.spec, f"/drafts/{draft.pk}/", {"action": "submit"})
    assert r.status_code == 400 and 'class="flash error"' in r.content.decode()
    r = post(client, d.spec, f"/drafts/{draft.pk}/", {"action": "nonsense"})
    assert r.status_code == 400
    draft.refresh_from_db()
    assert draft.status == DraftStatus.NOT_SUBMITTED


def test_diff_page_shows_changed_lines(drafting, client):
    from dieuhanh.drafting import services

    d = drafting
    draft = d.new_draft()
    services.revise_draft(actor=d.spec, draft=draft, blob=d.upload(content=sample_pdf("Nội dung mới về điều động")),
                          subject="Trích yếu mới")
    client.force_login(d.spec)
    page = client.get(f"/drafts/{draft.pk}/diff/?from=1&to=2").content.decode()
    assert "Trích yếu mới" in page and "Nội dung mới về điều động" in page and 'class="ins"' in page
    assert client.get(f"/drafts/{draft.pk}/diff/?from=1&to=7").status_code == 404
