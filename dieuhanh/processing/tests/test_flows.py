import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dieuhanh.audit.models import AuditEvent
from dieuhanh.documents.models import DeliveryStatus
from dieuhanh.documents.policy import can_view_document
from dieuhanh.processing import services
from dieuhanh.processing.models import ExtensionRequest, Flow, FlowRead, FlowStatus


def _status(flow):
    return Flow.objects.get(pk=flow.pk).status


def test_leader_assigns_and_delivery_becomes_04(received):
    r = received
    flows = services.assign(actor=r.org.leader_b, entry=r.entry, direction="Ban Tổ chức chủ trì tham mưu",
                            deadline=r.soon, handlers=[{"unit_id": r.bd.pk, "role": "lead"},
                                                       {"user_id": r.spec_b.pk, "role": "co"},
                                                       {"user_id": r.deputy_b.pk, "role": "info"}])
    assert [f.role for f in flows] == ["lead", "co", "info"]
    root = Flow.objects.get(entry=r.entry, parent__isnull=True)
    assert root.status == FlowStatus.IN_PROGRESS and all(f.parent == root for f in flows)
    r.delivery.refresh_from_db()
    assert r.delivery.status == DeliveryStatus.ASSIGNED  # 05 waits for the handler's first opinion/forward/read
    assert can_view_document(r.spec_b, r.doc)


def test_clerk_records_direction_on_behalf_of_leader(received):
    r = received
    flows = services.assign(actor=r.org.clerk_b, entry=r.entry, on_behalf_of=r.org.leader_b,
                            handlers=[{"user_id": r.spec_b.pk, "role": "lead"}])
    assert flows[0].assigned_by == r.org.leader_b and flows[0].on_behalf_of == r.org.clerk_b
    with pytest.raises(ValidationError):
        services.assign(actor=r.org.clerk_b, entry=r.entry, on_behalf_of=r.spec_b,
                        handlers=[{"user_id": r.spec_b.pk, "role": "lead"}])


def test_full_completion_propagates_to_the_sender(received):
    r = received
    lead, co = services.assign(actor=r.org.leader_b, entry=r.entry, deadline=r.soon,
                               handlers=[{"unit_id": r.bd.pk, "role": "lead"}, {"user_id": r.spec_b.pk, "role": "co"}])
    # the department head forwards to a specialist with an earlier deadline
    (spec_flow,) = services.forward(actor=r.head, flow=lead, deadline=r.soon - datetime.timedelta(days=2),
                                    handlers=[{"user_id": r.spec1.pk, "role": "lead"}])
    services.add_opinion(actor=r.spec1, flow=spec_flow, text="Đề xuất phương án A")
    services.complete(actor=r.spec1, flow=spec_flow, result="Đã tham mưu văn bản trả lời")
    assert _status(lead) == FlowStatus.COMPLETED  # its only lead completed
    assert _status(co) == FlowStatus.CLOSED  # co-handling at that level closes
    root = Flow.objects.get(entry=r.entry, parent__isnull=True)
    assert root.status == FlowStatus.COMPLETED
    r.delivery.refresh_from_db()
    assert r.delivery.status == DeliveryStatus.DONE
    assert list(r.delivery.events.values_list("status", flat=True)) == ["01", "03", "04", "05", "06"]


def test_one_of_two_leads_completing_does_not_complete_the_level(received):
    r = received
    l1, l2 = services.assign(actor=r.org.leader_b, entry=r.entry,
                             handlers=[{"user_id": r.spec_b.pk, "role": "lead"}, {"unit_id": r.bd.pk, "role": "lead"}])
    services.complete(actor=r.spec_b, flow=l1, result="Xong phần việc")
    root = Flow.objects.get(entry=r.entry, parent__isnull=True)
    assert root.status == FlowStatus.IN_PROGRESS
    services.complete(actor=r.head, flow=l2, result="Xong")
    assert _status(root) == FlowStatus.COMPLETED


def test_return_recalls_what_was_forwarded(received):
    r = received
    (lead,) = services.assign(actor=r.org.leader_b, entry=r.entry, handlers=[{"unit_id": r.bd.pk, "role": "lead"}])
    (child,) = services.forward(actor=r.head, flow=lead, handlers=[{"user_id": r.spec1.pk, "role": "lead"}])
    with pytest.raises(ValidationError):
        services.return_flow(actor=r.head, flow=lead, reason="")
    services.return_flow(actor=r.head, flow=lead, reason="Không thuộc chức năng của Ban")
    assert _status(lead) == FlowStatus.RETURNED and _status(child) == FlowStatus.RECALLED
    with pytest.raises(ValidationError):
        services.complete(actor=r.spec1, flow=child, result="x")


@pytest.mark.parametrize("who", ["spec2", "spec_b", "clerk_a"])
def test_completing_someone_elses_flow_is_refused(received, who):
    r = received
    (flow,) = services.assign(actor=r.org.leader_b, entry=r.entry, handlers=[{"user_id": r.spec1.pk, "role": "lead"}])
    actor = getattr(r, who, None) or getattr(r.org, who)
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.complete(actor=actor, flow=flow, result="not mine")
    assert _status(flow) == FlowStatus.PENDING and AuditEvent.objects.count() == before


def test_bad_assignments(received):
    r = received
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    cases = [
        ({"handlers": [{"unit_id": r.org.a.pk, "role": "lead"}]}, "handlers.0"),  # outside B
        ({"handlers": [{"user_id": r.org.clerk_a.pk, "role": "lead"}]}, "handlers.0"),
        ({"handlers": [{"user_id": r.spec_b.pk, "role": "co"}]}, "handlers"),  # no lead
        ({"handlers": [{"user_id": r.spec_b.pk, "role": "lead"}], "deadline": yesterday}, "deadline"),
        ({"handlers": [{"user_id": r.spec_b.pk, "role": "lead"}, {"user_id": r.spec_b.pk, "role": "co"}]},
         "handlers.1"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as exc:
            services.assign(actor=r.org.leader_b, entry=r.entry, **kwargs)
        assert field in exc.value.message_dict, (kwargs, exc.value.message_dict)
    assert not Flow.objects.exists()
    with pytest.raises(PermissionDenied):
        services.assign(actor=r.spec_b, entry=r.entry, handlers=[{"user_id": r.spec_b.pk, "role": "lead"}])


def test_forward_deadline_cannot_pass_the_parent(received):
    r = received
    (lead,) = services.assign(actor=r.org.leader_b, entry=r.entry, deadline=r.soon,
                              handlers=[{"unit_id": r.bd.pk, "role": "lead"}])
    with pytest.raises(ValidationError) as exc:
        services.forward(actor=r.head, flow=lead, deadline=r.soon + datetime.timedelta(days=1),
                         handlers=[{"user_id": r.spec1.pk, "role": "lead"}])
    assert "deadline" in exc.value.message_dict
    with pytest.raises(ValidationError):  # a specialist leads nobody
        (spec_flow,) = services.forward(actor=r.head, flow=lead, handlers=[{"user_id": r.spec1.pk, "role": "lead"}])
        services.forward(actor=r.spec1, flow=spec_flow, handlers=[{"user_id": r.spec2.pk, "role": "lead"}])


def test_extension_request_and_limits(received, settings):
    r = received
    settings.DIEUHANH_MAX_EXTENSIONS = 1
    (flow,) = services.assign(actor=r.org.leader_b, entry=r.entry, deadline=r.soon,
                              handlers=[{"user_id": r.spec_b.pk, "role": "lead"}])
    req = services.request_extension(actor=r.spec_b, flow=flow, new_deadline=r.soon + datetime.timedelta(days=5),
                                     reason="Chờ số liệu")
    with pytest.raises(PermissionDenied):
        services.decide_extension(actor=r.spec1, request=req, approve=True)
    services.decide_extension(actor=r.org.leader_b, request=req, approve=True)
    flow.refresh_from_db()
    assert flow.deadline == r.soon + datetime.timedelta(days=5) and flow.extensions == 1
    assert ExtensionRequest.objects.get(pk=req.pk).status == "approved"
    with pytest.raises(ValidationError):
        services.request_extension(actor=r.spec_b, flow=flow, new_deadline=r.soon + datetime.timedelta(days=9),
                                   reason="Lần nữa")


def test_reading_is_recorded_without_status_change(received):
    r = received
    (flow,) = services.assign(actor=r.org.leader_b, entry=r.entry, handlers=[{"user_id": r.spec_b.pk, "role": "lead"}])
    services.mark_read(actor=r.spec_b, flow=flow)
    services.mark_read(actor=r.spec_b, flow=flow)
    assert FlowRead.objects.filter(flow=flow).count() == 1
    assert _status(flow) == FlowStatus.PENDING


def test_a_lead_returning_after_the_other_lead_completed_completes_the_level(received):
    """Found by the state machine: the completed lead is then the only one that counts."""
    r = received
    l1, l2 = services.assign(actor=r.org.leader_b, entry=r.entry,
                             handlers=[{"user_id": r.spec_b.pk, "role": "lead"}, {"unit_id": r.bd.pk, "role": "lead"}])
    services.complete(actor=r.spec_b, flow=l1, result="Xong phần việc")
    assert _status(Flow.objects.get(entry=r.entry, parent__isnull=True)) == FlowStatus.IN_PROGRESS
    services.return_flow(actor=r.head, flow=l2, reason="Không thuộc chức năng")
    assert Flow.objects.get(entry=r.entry, parent__isnull=True).status == FlowStatus.COMPLETED
    r.delivery.refresh_from_db()
    assert r.delivery.status == DeliveryStatus.DONE


def test_the_only_lead_returning_leaves_the_level_open_for_reassignment(received):
    r = received
    (lead,) = services.assign(actor=r.org.leader_b, entry=r.entry, handlers=[{"unit_id": r.bd.pk, "role": "lead"}])
    services.return_flow(actor=r.head, flow=lead, reason="Không thuộc chức năng")
    root = Flow.objects.get(entry=r.entry, parent__isnull=True)
    assert root.status == FlowStatus.IN_PROGRESS
    (again,) = services.assign(actor=r.org.leader_b, entry=r.entry, handlers=[{"user_id": r.spec_b.pk, "role": "lead"}])
    services.complete(actor=r.spec_b, flow=again, result="Xong")
    assert _status(root) == FlowStatus.COMPLETED
