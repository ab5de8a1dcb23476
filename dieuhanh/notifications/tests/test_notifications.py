import html

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation

from dieuhanh.notifications import selectors
from dieuhanh.notifications import services as notifications
from dieuhanh.notifications.models import Notification


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
    assert selectors.unread_count(org.spec_a1) == 2
    assert selectors.unread_count(org.clerk_b) == 1
    notifications.mark_seen(org.spec_a1)
    assert selectors.unread_count(org.spec_a1) == 0
    notifications.notify_unit(org.a1, "Mới")
    assert selectors.unread_count(org.spec_a1) == 1
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
    for i in range(selectors.UNREAD_CAP + 3):
        notifications.notify_unit(org.a1, f"Thông báo {i}")
    client.login(username=org.spec_a1.username, password=PASSWORD)
    bell = client.get("/notifications/bell").content.decode()
    assert f"{selectors.UNREAD_CAP}+" in bell and 'hx-trigger="every 30s"' in bell
    page = client.get("/notifications/").content.decode()
    assert "Thông báo 101" in page
    assert "count" not in client.get("/notifications/bell").content.decode()
    client.logout()
    assert client.get("/notifications/bell").status_code == 302


# --- The reader's language (decision 0026) ------------------------------------------------------------------------

RETURNED = "Returned by %(handler)s: %(reason)s"


def _as(client, user, language):
    from conftest import PASSWORD

    client.login(username=user.username, password=PASSWORD)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _page(client, user, language):
    return html.unescape(_as(client, user, language).get("/notifications/").content.decode())


def _api(api_client, client, user, language):
    api = api_client.as_user(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return [row["message"] for row in api.get("/api/v1/notifications").json()]


def test_the_text_is_in_the_readers_language_whatever_the_writers(people, client, api_client):
    from dieuhanh.processing.models import FlowStatus

    org = people
    with translation.override("en"):  # written during an English request ...
        notifications.notify_unit(org.a1, RETURNED, {"handler": "Nguyễn Văn An", "reason": "Thiếu chữ ký"},
                                  link="/x/")
    with translation.override("vi"):  # ... and a Vietnamese one: the stored label is the msgid either way
        recalled = notifications.notify_unit(org.a1, "%(status)s: %(subject)s", {
            "status": notifications.label(FlowStatus(FlowStatus.RECALLED).label), "subject": "Báo cáo quý III"})
    assert recalled.message == "" and recalled.params == {"status": {"label": "Recalled"},
                                                          "subject": "Báo cáo quý III"}
    vietnamese = ["Đã thu hồi: Báo cáo quý III", "Nguyễn Văn An đã trả lại: Thiếu chữ ký"]
    english = ["Recalled: Báo cáo quý III", "Returned by Nguyễn Văn An: Thiếu chữ ký"]
    page = _page(client, org.spec_a1, "vi")
    assert all(text in page for text in vietnamese) and "Returned by" not in page
    page = _page(client, org.spec_a1, "en")
    assert all(text in page for text in english) and "đã trả lại" not in page
    assert _api(api_client, client, org.spec_a1, "vi") == vietnamese
    assert _api(api_client, client, org.spec_a1, "en") == english


def test_rows_written_before_keep_their_stored_text(people, client, api_client):
    org = people
    Notification.objects.create(unit=org.a1, message="Overdue since 01/10/2026: Báo cáo cũ", link="/old/")
    notifications.notify_unit(org.a1, "Văn bản bị thu hồi")  # a ready-made text: not in the catalogue, shown as is
    for language in ("vi", "en"):
        assert _api(api_client, client, org.spec_a1, language) == ["Văn bản bị thu hồi",
                                                                   "Overdue since 01/10/2026: Báo cáo cũ"]
        assert "Overdue since 01/10/2026: Báo cáo cũ" in _page(client, org.spec_a1, language)
    # a long ready-made text (a caller that renders its own) is kept like an old row, not refused
    long = notifications.notify_unit(org.a1, "Văn bản " * 100)
    assert long.msgid == "" and long.message == ("Văn bản " * 100)[:500]


def test_params_are_data_escaped_on_the_page(people, client):
    org = people
    notifications.notify_unit(org.a1, RETURNED, {"handler": "<b>Trưởng phòng</b>",
                                                 "reason": "<script>alert(1)</script> 100% %(handler)s"})
    page = _as(client, org.spec_a1, "vi").get("/notifications/").content.decode()
    assert "<script>alert(1)" not in page and "<b>Trưởng" not in page
    assert "&lt;b&gt;Trưởng phòng&lt;/b&gt; đã trả lại: &lt;script&gt;alert(1)&lt;/script&gt; 100% %(handler)s" in page


def test_mail_goes_in_the_default_language(people, django_capture_on_commit_callbacks):
    org = people
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        notifications.notify_user(org.spec_a1, RETURNED, {"handler": "Văn thư", "reason": "Sai thể thức"},
                                  link="/processing/flows/1/")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "[dieuhanh] Văn thư đã trả lại: Sai thể thức"
    assert mail.outbox[0].body.startswith("Văn thư đã trả lại: Sai thể thức\n\n")


def test_a_secret_ones_text_stays_withheld_in_either_language(people, client, api_client):
    org = people
    notifications.notify_unit(org.a1, RETURNED, {"handler": "Lãnh đạo", "reason": "Nội dung mật"},
                              link="/processing/flows/9/", confidentiality=1)
    for language in ("vi", "en"):
        with translation.override(language):
            withheld = str(selectors.WITHHELD)
        assert _api(api_client, client, org.spec_a1, language) == [withheld]
        page = _page(client, org.spec_a1, language)
        assert withheld in page and "Nội dung mật" not in page and "/processing/flows/9/" not in page
    assert "Có văn bản mật" in _api(api_client, client, org.spec_a1, "vi")[0]


def test_a_translation_that_does_not_fit_its_params_falls_back():
    assert notifications.render(RETURNED, {"handler": "A"}) == RETURNED  # a missing param: the msgid, no error
    with translation.override("vi"):
        assert notifications.render("%(kind)s: %(title)s", {"kind": {"label": "Propose closing"}, "title": "T"}) \
            == "Đề nghị kết thúc: T"
