import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dieuhanh.audit.models import AuditEvent
from dieuhanh.projects import selectors, services
from dieuhanh.projects.models import Project, Status, Verdict

pytestmark = pytest.mark.django_db


def test_create_audits_and_indexes(reg):
    p = reg.project()
    assert p.status == Status.PROPOSED and p.reviewing_unit == reg.org.a and p.scope_path == reg.org.a1.path
    assert AuditEvent.objects.filter(action="project.create", object_id=str(p.pk)).count() == 1
    assert p.sim_norm > 0


@pytest.mark.parametrize(("field", "value"), [
    ("budget_amount", -1), ("currency", "XYZ"), ("functions", ["no-such-function"]),
    ("ends_on", datetime.date(2025, 1, 1)), ("level", "galaxy"), ("kind", "magic"),
])
def test_bad_input_names_the_field(reg, field, value):
    with pytest.raises(ValidationError) as exc:
        reg.project(**{field: value})
    assert field in exc.value.message_dict
    assert not Project.objects.exists()


def test_unit_the_person_may_not_act_for(reg):
    with pytest.raises(ValidationError) as exc:
        reg.project(unit=reg.org.b1)
    assert "unit_id" in exc.value.message_dict


def test_only_own_unit_updates(reg):
    p = reg.project()
    with pytest.raises(PermissionDenied):
        services.update_project(actor=reg.spec_b1, project=p, data={"name": "X"})
    services.update_project(actor=reg.org.spec_a1, project=p, data={"name": "Phần mềm một cửa điện tử"})
    assert AuditEvent.objects.filter(action="project.update").count() == 1


def test_candidates_ranked_with_reasons(reg):
    org = reg.org
    other = reg.project(actor=org.clerk_a, unit=org.a, level="province",
                        name="Phần mềm QLVB điều hành của thành ủy", objective="Quản lý văn bản đến đi, điều hành",
                        data_objects=[{"name": "Sổ đăng ký văn bản đến", "owned": True}])
    unrelated = reg.project(actor=org.clerk_b, unit=org.b, level="province", name="Hệ thống camera giám sát",
                            objective="Giám sát an ninh", functions=["surveillance"])
    p = reg.project(data_objects=[{"name": "So dang ky van ban den", "owned": True}])
    found = selectors.candidates(p)
    ids = [c["project"].pk for c in found["candidates"]]
    assert ids[0] == other.pk and unrelated.pk not in ids
    codes = {r["code"] for r in found["candidates"][0]["reasons"]}
    assert codes == {"functions", "text", "data_object"}
    assert found["candidates"][0]["text_score"] >= 0.19


def test_rebuilt_platform_is_flagged(reg):
    p = reg.project(functions=["identity"], name="Hệ thống đăng nhập một lần riêng")
    assert [x.code for x in selectors.candidates(p)["rebuilt_platforms"]] == ["sso"]
    q = reg.project(functions=["identity"], reuses=["sso"])
    assert selectors.candidates(q)["rebuilt_platforms"] == []


def test_review_flow_requires_assessment_and_shows_on_both(reg):
    org = reg.org
    first = reg.project(actor=org.clerk_a, unit=org.a, level="province")
    p = reg.project()
    services.submit(actor=org.spec_a1, project=p)
    with pytest.raises(ValidationError) as exc:
        services.give_opinion(actor=reg.spec_a, project=p, text="Đề nghị dùng chung")
    assert "assessment" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.decide(actor=org.leader_a, project=p, approve=True)
    assert "assessment" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.assess(actor=org.spec_a1, project=p, verdict=Verdict.NOT_DUPLICATE, reason="x")
    with pytest.raises(ValidationError) as exc:
        services.assess(actor=reg.spec_a, project=p, verdict=Verdict.DUPLICATE, reason="trùng")
    assert "reuse_id" in exc.value.message_dict
    services.assess(actor=reg.spec_a, project=p, verdict=Verdict.DUPLICATE, reuse_id=first.pk,
                    reason="Dùng chung hệ thống của thành ủy")
    services.give_opinion(actor=reg.spec_a, project=p, text="Đề nghị không đầu tư mới")
    with pytest.raises(PermissionDenied):
        services.decide(actor=reg.spec_a, project=p, approve=False)
    services.decide(actor=org.leader_a, project=p, approve=False, note="Dùng chung")
    p.refresh_from_db()
    assert p.status == Status.REFUSED
    assert [a.reuse_id for a in selectors.assessments_involving(first)] == [first.pk]
    assert list(selectors.assessments_involving(p)) == list(selectors.assessments_involving(first))
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"project.assess", "project.opinion", "project.status"} <= actions


def test_reports_and_exports(reg):
    from dieuhanh.projects import exports
    reg.project(reuses=["lgsp"])
    s = selectors.summary()
    assert s["by_status"] == [{"status": "proposed", "n": 1}]
    assert selectors.platform_map()[0]["unit"] == reg.org.a1.name
    assert exports.report_xlsx()[:2] == b"PK"
    assert exports.report_pdf()[:5] == b"%PDF-"
