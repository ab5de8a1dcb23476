"""Browser (issue 14): a deadline on a public holiday is refused beside the field with the next working day named,
and "N working days" is accepted (item 17); from the internet zone the handler's processing page and home counters
never name a Tối mật document (item 3)."""

import datetime

import pytest

from dieuhanh.documents.testing import make_pdf

from .conftest import SHOTS, login


def _received_entry():
    from dieuhanh.documents.models import Delivery
    from dieuhanh.operations.demo import seed_demo, seed_demo_documents

    seed_demo()
    seed_demo_documents()
    return Delivery.objects.get(recipient_unit__code="000.00.00.H79", status="03").incoming_entry


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_holiday_deadline_is_refused_with_the_next_working_day_and_working_days_are_accepted(
        live_server, browser, settings, tmp_path):
    from dieuhanh.accounts.models import User
    from dieuhanh.operations.demo import DEMO_PASSWORD
    from dieuhanh.processing import calendar
    from dieuhanh.processing.models import Flow, Holiday

    settings.MEDIA_ROOT = tmp_path
    entry = _received_entry()
    specialist = User.objects.get(username="chuyenvien1.hcm")
    holiday = datetime.date.today() + datetime.timedelta(days=21)
    while holiday.weekday() >= 4:
        holiday += datetime.timedelta(days=1)
    Holiday.objects.create(date=holiday, name="Ngày lễ thử")
    calendar.clear_cache()
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    page = context.new_page()
    login(page, base, "lanhdao.hcm", DEMO_PASSWORD)
    page.goto(f"{base}/processing/entries/{entry.pk}/")
    page.select_option("select[name=lead]", f"p:{specialist.pk}")
    page.fill("input[name=deadline]", holiday.isoformat())
    page.click("form button.primary")
    page.wait_for_load_state()
    next_day = f"{holiday + datetime.timedelta(days=1):%d/%m/%Y}"
    # the message stands beside the deadline field and names the next working day
    field = page.locator("input[name=deadline]").locator("xpath=ancestor::*[contains(@class,'field')][1]")
    assert next_day in field.inner_text()
    assert page.locator("input[name=confirm_non_working_day]").count() == 1
    page.screenshot(path=str(SHOTS / "deadline-holiday-refused-desktop.png"), full_page=True)
    assert not Flow.objects.filter(entry=entry).exists()
    page.select_option("select[name=lead]", f"p:{specialist.pk}")
    page.fill("input[name=deadline]", "")
    page.fill("input[name=working_days]", "5")
    page.click("form button.primary")
    page.wait_for_selector("#flow-tree")
    lead = Flow.objects.get(entry=entry, depth=1)
    assert lead.deadline == calendar.add_working_days(datetime.date.today(), 5)
    assert f"{lead.deadline:%d/%m/%Y}" in page.inner_text("#flow-tree")
    page.screenshot(path=str(SHOTS / "deadline-working-days-desktop.png"), full_page=True)
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_internet_zone_processing_page_never_names_a_top_secret_document(live_server, browser, settings, tmp_path):
    from dieuhanh.accounts.models import User
    from dieuhanh.documents import services as docs
    from dieuhanh.documents.models import DocumentType
    from dieuhanh.operations.demo import DEMO_PASSWORD
    from dieuhanh.processing import services as processing
    from dieuhanh.units.models import Unit

    settings.MEDIA_ROOT = tmp_path
    _received_entry()
    User.objects.filter(username__in=["vanthu.hanoi", "vanthu.hcm", "lanhdao.hcm", "chuyenvien1.hcm"]).update(
        clearance=3)
    clerk, hcm_clerk = User.objects.get(username="vanthu.hanoi"), User.objects.get(username="vanthu.hcm")
    specialist = User.objects.get(username="chuyenvien1.hcm")
    hcm = Unit.objects.get(code="000.00.00.H79")
    blob = docs.store_file(actor=clerk, fileobj=__import__("io").BytesIO(make_pdf("toi mat")),
                           content_type="application/pdf")
    secret = docs.create_outgoing(
        actor=clerk, unit=Unit.objects.get(code="000.00.00.H01"), subject="TMX9K Kế hoạch tối mật",
        document_type_id=DocumentType.objects.get(system="party", name="Kế hoạch").pk, confidentiality=2,
        signer_name="Nguyễn Văn An", signer_position="Bí thư", files=[{"sha256": blob.sha256, "name": "km.pdf"}],
        recipients=[{"unit_id": hcm.pk}])
    docs.issue_document(actor=clerk, document=secret)
    secret.refresh_from_db()
    entry = docs.accept_delivery(actor=hcm_clerk, delivery=secret.deliveries.get())
    processing.assign(actor=User.objects.get(username="lanhdao.hcm"), entry=entry,
                      handlers=[{"user_id": specialist.pk, "role": "lead"}])
    settings.DIEUHANH_CLOSED_NETWORKS = []  # the browser now comes from the internet zone
    base = live_server.url
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="vi-VN")
    page = context.new_page()
    login(page, base, specialist.username, DEMO_PASSWORD)
    assert "TMX9K" not in page.content()
    page.goto(f"{base}/processing/")
    assert "TMX9K" not in page.content() and secret.symbol not in page.content()
    page.screenshot(path=str(SHOTS / "processing-internet-zone-phone.png"), full_page=True)
    context.close()
