"""Browser: a commune's specialist enters a digital-transformation project, sees its candidate duplicates and sends
it for review; the reviewing IT body records "duplicate: reuse X" with a reason, and the decision shows on both
projects. Phone (390px) and desktop (1280px); screenshots in test-output/browser/projects-*-{phone,desktop}.png."""

import datetime

import pytest

from conftest import PASSWORD
from dieuhanh.projects.tests.conftest import reg  # noqa: F401, F811  (fixture)

from .conftest import SHOTS, login

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", list(SIZES))
def test_enter_project_see_candidates_record_assessment(live_server, browser, reg, size):  # noqa: F811
    from playwright.sync_api import expect

    from dieuhanh.projects import services
    from dieuhanh.projects.models import Assessment, Project

    org = reg.org
    existing = services.create_project(actor=org.clerk_a, data={
        "code": "TU-QLVB", "name": "Hệ thống quản lý văn bản và điều hành của Thành ủy", "unit_id": org.a.pk,
        "level": "province", "kind": "software", "objective": "Xử lý văn bản đến, văn bản đi trên môi trường mạng",
        "functions": ["document-management"], "starts_on": datetime.date(2026, 1, 1),
        "ends_on": datetime.date(2027, 12, 31)})
    context = browser.new_context(viewport=SIZES[size], is_mobile=size == "phone")
    page = context.new_page()
    base = live_server.url
    login(page, base, "spec.a1", PASSWORD)
    page.goto(f"{base}/projects/new/")
    page.fill("#code", "BD-QLVB")
    page.fill("#name", "Phan mem QLVB dieu hanh cua phuong")
    page.fill("#objective", "Quan ly van ban den, van ban di va dieu hanh")
    page.select_option("#level", "commune")
    page.check("input[name=functions][value=document-management]")
    page.fill("#budget_amount", "-5")
    page.fill("#starts_on", "2026-03-01")
    page.fill("#ends_on", "2026-12-31")
    page.click("#save-project")
    expect(page.locator(".field.invalid #budget_amount")).to_be_visible()
    page.screenshot(path=str(SHOTS / f"projects-error-{size}.png"), full_page=True)
    page.fill("#budget_amount", "300000000")
    page.click("#save-project")
    expect(page.locator("#status[data-status=proposed]")).to_be_visible()
    row = page.locator("#candidates tr.candidate").first
    expect(row).to_contain_text("TU-QLVB")
    page.screenshot(path=str(SHOTS / f"projects-entered-{size}.png"), full_page=True)
    page.click("#submit-review")
    expect(page.locator("#status[data-status=under_review]")).to_be_visible()
    project = Project.objects.get(code="BD-QLVB")

    context.clear_cookies()
    login(page, base, "spec.a", PASSWORD)
    page.goto(f"{base}/projects/{project.pk}/")
    expect(page.locator("#candidates tr.candidate").first).to_contain_text("TU-QLVB")
    page.check("input[name=verdict][value=duplicate]")
    page.select_option("#reuse_id", str(existing.pk))
    page.fill("#reason", "Dùng chung hệ thống của Thành ủy, không đầu tư mới")
    page.click("#assess-submit")
    expect(page.locator("#assessments")).to_contain_text("TU-QLVB")
    page.screenshot(path=str(SHOTS / f"projects-assessed-{size}.png"), full_page=True)
    page.goto(f"{base}/projects/{existing.pk}/")
    expect(page.locator("#assessments")).to_contain_text("BD-QLVB")
    expect(page.locator("#assessments")).to_contain_text("Dùng chung hệ thống của Thành ủy")
    page.screenshot(path=str(SHOTS / f"projects-other-side-{size}.png"), full_page=True)
    assert Assessment.objects.get(project=project).reuse_id == existing.pk
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SIZES[size]["width"] + 1
    context.close()
