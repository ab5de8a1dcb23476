import pytest
from django.core import mail

from dieuhanh.core import notifications
from dieuhanh.core.models import Notification


@pytest.fixture
def people(org):
    org.spec_a1.email = "spec@example.org"
    org.spec_a1.save()
    return org


def test_unread_count_covers_personal_and_unit_notifications(people, django_capture_on_commit_callbacks):
    org = people
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify_user(org.spec_a1, "Bạn được giao xử lý văn bản 01/QĐ-TU", link="/x/")
    notifications.notify_unit(org.a1, "Văn bản bị thu hồi")
    notifications.notify_unit(org.b, "Không liên quan")
    assert notifications.unread_count(org.spec_a1) == 2
    assert notifications.unread_count(org.clerk_b) == 1
    notifications.mark_seen(org.spec_a1)
    assert notifications.unread_count(org.spec_a1) == 0
    notifications.notify_unit(org.a1, "Mới")
    assert notifications.unread_count(org.spec_a1) == 1
    # the e-mail copy went out after commit, through the background job (immediate in tests)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["spec@example.org"]
    assert "01/QĐ-TU" in mail.outbox[0].subject


def test_no_mail_when_the_transaction_rolls_back(people, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notifications.notify_user(people.spec_a1, "Sẽ bị hủy")
                raise RuntimeError
        except RuntimeError:
            pass
    assert mail.outbox == [] and not Notification.objects.exists()


def test_bell_and_list_pages(people, client):
    from conftest import PASSWORD

    org = people
    for i in range(notifications.UNREAD_CAP + 3):
        notifications.notify_unit(org.a1, f"Thông báo {i}")
    client.login(username=org.spec_a1.username, password=PASSWORD)
    bell = client.get("/notifications/bell").content.decode()
    assert f"{notifications.UNREAD_CAP}+" in bell and 'hx-trigger="every 30s"' in bell
    page = client.get("/notifications/").content.decode()
    assert "Thông báo 101" in page
    assert "count" not in client.get("/notifications/bell").content.decode()
    client.logout()
    assert client.get("/notifications/bell").status_code == 302
