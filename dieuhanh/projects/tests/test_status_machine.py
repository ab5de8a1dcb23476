"""The status machine, driven by hypothesis: whatever sequence of actions people try, a project only ever moves
along TRANSITIONS, refused and retired are final, and every move leaves exactly one audit event."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from dieuhanh.audit.models import AuditEvent
from dieuhanh.projects import services
from dieuhanh.projects.models import TRANSITIONS, Project, Status, Verdict

pytestmark = pytest.mark.django_db


@pytest.mark.django_db
def test_status_machine(reg):
    org = reg.org
    counter = {"n": 0}

    class Machine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            counter["n"] += 1
            self.project = services.create_project(actor=org.spec_a1, data={
                "code": f"SM-{counter['n']}", "name": "Cổng thông tin", "unit_id": org.a1.pk, "level": "commune",
                "kind": "software", "functions": ["portal"], "starts_on": datetime.date(2026, 1, 1),
                "ends_on": datetime.date(2026, 12, 31)})
            self.status = Status.PROPOSED
            self.moves = 0

        def _try(self, call, target):
            before = self.status
            try:
                call()
            except (ValidationError, PermissionDenied):
                self.project.refresh_from_db()
                assert self.project.status == before
                return
            assert target in TRANSITIONS[before], (before, target)
            self.status = target
            self.moves += 1

        @rule()
        def submit(self):
            self._try(lambda: services.submit(actor=org.spec_a1, project=self.project), Status.UNDER_REVIEW)

        @rule(dup=st.booleans())
        def assess(self, dup):
            try:
                services.assess(actor=reg.spec_a, project=self.project, verdict=Verdict.NOT_DUPLICATE,
                                reason="Không trùng")
            except ValidationError:
                assert self.status != Status.UNDER_REVIEW

        @rule()
        def opinion(self):
            try:
                services.give_opinion(actor=reg.spec_a, project=self.project, text="Ý kiến")
            except ValidationError:
                pass

        @rule(approve=st.booleans())
        def decide(self, approve):
            self._try(lambda: services.decide(actor=org.leader_a, project=self.project, approve=approve),
                      Status.APPROVED if approve else Status.REFUSED)

        @rule(to=st.sampled_from([Status.IN_PROGRESS, Status.ACCEPTED, Status.IN_OPERATION, Status.RETIRED,
                                  Status.APPROVED, "bogus"]))
        def advance(self, to):
            self._try(lambda: services.advance(actor=org.spec_a1, project=self.project, to=to), to)

        @invariant()
        def matches(self):
            assert Project.objects.get(pk=self.project.pk).status == self.status
            assert AuditEvent.objects.filter(action="project.status", object_id=str(self.project.pk)).count() \
                == self.moves

    Machine.TestCase.settings = settings(max_examples=15, stateful_step_count=12, deadline=None,
                                         suppress_health_check=list(HealthCheck))
    Machine.TestCase().runTest()
