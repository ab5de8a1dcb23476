"""Issue 14 item 8: generated downloads (the processing slip, the register .xlsx) answer the same RFC 6266
Content-Disposition as stored files: an ASCII filename= and filename*=UTF-8''... (see documents/storage.py)."""

import pytest

from dieuhanh.documents.tests.test_downloads import check_header, star_name


@pytest.fixture
def clerk_b(received, client):
    client.force_login(received.org.clerk_b)
    return received


@pytest.mark.parametrize("path, kind, name", [
    ("/processing/entries/{entry}/slip.pdf", "inline", "phieu-giai-quyet-{number}.pdf"),
    ("/api/v1/entries/{entry}/slip.pdf", "inline", "phieu-giai-quyet-{number}.pdf"),
])
def test_slip_answers_the_shared_header(clerk_b, client, path, kind, name):
    entry = clerk_b.entry
    response = client.get(path.format(entry=entry.pk))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    check_header(response["Content-Disposition"], name=name.format(number=entry.arrival_number), kind=kind)


def test_register_export_answers_the_shared_header(clerk_b, client):
    from dieuhanh.documents.exports import filename

    register = clerk_b.entry.register
    response = client.get(f"/api/v1/registers/{register.pk}/export.xlsx")
    assert response.status_code == 200
    header = response["Content-Disposition"]
    assert header.startswith("attachment;") and star_name(header) == filename(register)
    assert f'filename="{filename(register)}"' in header
