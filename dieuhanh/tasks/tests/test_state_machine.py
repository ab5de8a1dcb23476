"""Property-based: no sequence of legal task actions leaves a task in an impossible state."""

import datetime
import itertools

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from conftest import make_user
from dieuhanh.tasks import selectors, services
from dieuhanh.tasks.models import ENDED_STATUSES, Report, Stage, Task, TaskStatus
from dieuhanh.units import services as unit_services

_serial = itertools.count()
PROPOSED = {TaskStatus.COMPLETED_AWAITING, TaskStatus.CLOSING_PROPOSED, TaskStatus.EXTENSION_PROPOSED}


class TaskMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self):
        n = next(_serial)
        admin = make_user(f"tsm.admin{n}", is_superuser=True)
        day = datetime.date(2025, 7, 1)
        top = unit_services.create_unit(actor=admin, parent=None, code=f"T{n}", name=f"Đơn vị {n}", short_name="T",
                                        kind="province", effective_from=day)
        dept = unit_services.create_unit(actor=admin, parent=top, code=f"TD{n}", name=f"Ban {n}", short_name="B",
                                         kind="department", effective_from=day)
        self.leader = make_user(f"tsm.l{n}", top, "leader")
        self.head = make_user(f"tsm.h{n}", dept, "leader")
        self.spec = make_user(f"tsm.s{n}", dept, "specialist")
        today = datetime.date.today()
        (self.task,) = services.assign_task(actor=self.leader, unit=top, title="Nhiệm vụ", start_date=today,
                                            deadline=today + datetime.timedelta(days=10), unit_ids=[dept.pk])

    def _task(self):
        return Task.objects.get(pk=self.task.pk)

    @rule(kind=st.sampled_from(["progress", "complete", "propose_close", "propose_extension"]),
          by_head=st.booleans(), percent=st.integers(0, 100), days=st.integers(1, 40))
    def report(self, kind, by_head, percent, days):
        task = self._task()
        try:
            services.submit_report(actor=self.head if by_head else self.spec, task=task, kind=kind, text="Báo cáo",
                                   percent=percent, proposed_deadline=task.deadline + datetime.timedelta(days=days))
        except ValidationError:
            # refusals must leave the task as it was
            assert self._task().status == task.status and self._task().deadline == task.deadline

    @rule(approve=st.booleans())
    def decide(self, approve):
        pending = selectors.pending_report(self._task())
        if pending is None:
            return
        actor = self.head if pending.stage == Stage.AWAITING_UNIT_LEADER else self.leader
        services.decide_report(actor=actor, report=pending, approve=approve)

    @invariant()
    def proposal_status_matches_a_pending_report(self):
        if not hasattr(self, "task"):
            return
        task = self._task()
        pending = Report.objects.filter(task=task, stage__in=[Stage.AWAITING_UNIT_LEADER, Stage.AWAITING_ASSIGNER])
        assert pending.count() <= 1
        assert (task.status in PROPOSED) == pending.exists(), (task.status, list(pending))

    @invariant()
    def ended_tasks_are_consistent(self):
        if not hasattr(self, "task"):
            return
        task = self._task()
        if task.status == TaskStatus.COMPLETED:
            assert task.percent_done == 100 and task.completed_at is not None
        if task.status in ENDED_STATUSES:
            assert not Report.objects.filter(task=task, submitted_at__gt=task.status_at).exists()

    @invariant()
    def extensions_stay_within_the_limit(self):
        if hasattr(self, "task"):
            from django.conf import settings as django_settings

            assert self._task().extensions <= django_settings.DIEUHANH_MAX_EXTENSIONS

    @invariant()
    def counters_equal_lists(self):
        if not hasattr(self, "task"):
            return
        for person in (self.leader, self.head, self.spec):
            for kind, n in selectors.counters(person).items():
                assert n == len(list(selectors.tasks_for(person, kind))), (person, kind)


class TestTaskMachine(TestCase):
    def test_machine(self):
        machine = TaskMachine.TestCase
        machine.settings = settings(max_examples=20, stateful_step_count=15, deadline=None,
                                    suppress_health_check=[HealthCheck.too_slow])
        machine("runTest").runTest()
