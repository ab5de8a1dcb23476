"""Property-based tests: no sequence of legal actions leaves processing flows in an impossible state."""

import datetime
import itertools

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from conftest import make_user
from dieuhanh.documents import services as doc_services
from dieuhanh.documents.models import DeliveryStatus, DocumentType
from dieuhanh.processing import selectors, services
from dieuhanh.processing.models import OPEN_STATUSES, Flow, FlowRole, FlowStatus
from dieuhanh.units import services as unit_services

_serial = itertools.count()


def _build():
    """A fresh sender and receiver per run, so runs never see each other's data."""
    n = next(_serial)
    admin = make_user(f"sm.admin{n}", is_superuser=True)
    day = datetime.date(2025, 7, 1)

    def unit(parent, code, kind):
        return unit_services.create_unit(actor=admin, parent=parent, code=f"{code}{n}"[:13], name=f"Đơn vị {code}{n}",
                                         short_name=code, kind=kind, effective_from=day)

    root = unit(None, "R", "central")
    sender, receiver = unit(root, "S", "province"), unit(root, "B", "province")
    depts = [unit(receiver, f"D{i}", "department") for i in range(2)]
    year = datetime.date.today().year
    for u in (sender, receiver):
        doc_services.open_standard_registers(actor=admin, unit=u, year=year)
    doc_services.create_series(actor=admin, unit=sender, name="HC", system="state", rule="yearly")
    clerk_s = make_user(f"sm.cs{n}", sender, "clerk")
    clerk_b = make_user(f"sm.cb{n}", receiver, "clerk")
    leader = make_user(f"sm.lb{n}", receiver, "leader")
    heads = [make_user(f"sm.h{i}.{n}", d, "leader") for i, d in enumerate(depts)]
    specs = [make_user(f"sm.s{i}.{n}", depts[i % 2], "specialist") for i in range(4)]
    doc = doc_services.create_outgoing(actor=clerk_s, unit=sender, subject="Văn bản thử",
                                       document_type_id=DocumentType.objects.get(system="state", name="Công văn").pk,
                                       recipients=[{"unit_id": receiver.pk}])
    doc_services.issue_document(actor=clerk_s, document=doc)
    delivery = doc.deliveries.get()
    entry = doc_services.accept_delivery(actor=clerk_b, delivery=delivery)
    return {"leader": leader, "heads": heads, "specs": specs, "depts": depts, "entry": entry, "delivery": delivery}


class ProcessingMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self):
        self.w = _build()
        self.people = [self.w["leader"], *self.w["heads"], *self.w["specs"]]

    def _open_flows(self):
        return list(Flow.objects.filter(entry=self.w["entry"], status__in=OPEN_STATUSES, depth__gt=0).order_by("id"))

    def _actor_for(self, flow):
        if flow.handler_user_id:
            return flow.handler_user
        return self.w["heads"][self.w["depts"].index(flow.handler_unit)]

    @rule(roles=st.lists(st.sampled_from(["lead", "co", "info"]), min_size=1, max_size=3),
          picks=st.lists(st.integers(0, 5), min_size=3, max_size=3, unique=True))
    def assign(self, roles, picks):
        root = Flow.objects.filter(entry=self.w["entry"], parent__isnull=True).first()
        if root is not None and not root.is_open:
            return
        handlers = []
        for role, t in zip(roles, picks, strict=False):
            handlers.append({"unit_id": self.w["depts"][t].pk, "role": role} if t < 2
                            else {"user_id": self.w["specs"][t - 2].pk, "role": role})
        handlers[0]["role"] = "lead"
        if root is not None:  # never name an open handler twice
            existing = {(f.handler_unit_id, f.handler_user_id) for f in root.children.filter(status__in=OPEN_STATUSES)}
            handlers = [h for h in handlers if (h.get("unit_id"), h.get("user_id")) not in existing]
            if not handlers or not any(h["role"] == "lead" for h in handlers):
                return
        services.assign(actor=self.w["leader"], entry=self.w["entry"], handlers=handlers)

    @rule(i=st.integers(0, 20), spec=st.integers(0, 3))
    def forward(self, i, spec):
        flows = [f for f in self._open_flows() if f.handler_unit_id and f.role != FlowRole.INFO]
        if not flows:
            return
        flow = flows[i % len(flows)]
        person = self.w["specs"][spec]
        dept = self.w["depts"][self.w["heads"].index(self._actor_for(flow))]
        if not person.memberships.filter(unit=dept).exists():
            return
        if flow.children.filter(handler_user=person, status__in=OPEN_STATUSES).exists():
            return
        services.forward(actor=self._actor_for(flow), flow=flow, handlers=[{"user_id": person.pk, "role": "lead"}])

    @rule(i=st.integers(0, 20))
    def complete(self, i):
        flows = self._open_flows()
        if flows:
            flow = flows[i % len(flows)]
            services.complete(actor=self._actor_for(flow), flow=flow, result="Xong")

    @rule(i=st.integers(0, 20))
    def give_back(self, i):
        flows = self._open_flows()
        if flows:
            flow = flows[i % len(flows)]
            services.return_flow(actor=self._actor_for(flow), flow=flow, reason="Trả lại")

    @invariant()
    def open_flows_hang_under_open_parents(self):
        if not hasattr(self, "w"):
            return
        for flow in Flow.objects.filter(entry=self.w["entry"], status__in=OPEN_STATUSES, parent__isnull=False):
            assert flow.parent.status in OPEN_STATUSES, (flow, flow.parent)

    @invariant()
    def completed_leads_complete_their_parent(self):
        if not hasattr(self, "w"):
            return
        for parent in Flow.objects.filter(entry=self.w["entry"], status__in=OPEN_STATUSES):
            leads = [c for c in parent.children.all() if c.role == FlowRole.LEAD
                     and c.status not in (FlowStatus.RETURNED, FlowStatus.RECALLED)]
            assert not (leads and all(c.status == FlowStatus.COMPLETED for c in leads)), parent

    @invariant()
    def sender_sees_done_exactly_when_the_root_completed(self):
        if not hasattr(self, "w"):
            return
        root = Flow.objects.filter(entry=self.w["entry"], parent__isnull=True).first()
        self.w["delivery"].refresh_from_db()
        done = self.w["delivery"].status == DeliveryStatus.DONE
        assert done == (root is not None and root.status == FlowStatus.COMPLETED)

    @invariant()
    def counters_equal_list_lengths(self):
        if not hasattr(self, "w"):
            return
        for person in self.people:
            counts = selectors.counters(person)
            for kind, n in counts.items():
                assert n == len(list(selectors.flows_for(person, kind))), (person, kind)


class TestProcessingMachine(TestCase):
    def test_machine(self):
        machine = ProcessingMachine.TestCase
        machine.settings = settings(max_examples=15, stateful_step_count=12, deadline=None,
                                    suppress_health_check=[HealthCheck.too_slow])
        machine("runTest").runTest()
