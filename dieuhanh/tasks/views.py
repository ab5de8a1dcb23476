"""Pages for tasks: my lists, assigning, a task with its reports and decisions."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from dieuhanh.accounts.policy import units_with_roles
from dieuhanh.documents.forms import uploaded_files
from dieuhanh.kernel.actions import FORM_ONLY, Action, dispatch, run_action
from dieuhanh.kernel.pagination import page_for_request
from dieuhanh.processing.calendar import deadline_state

from . import policy, selectors, services
from .forms import DecideForm, ReportForm, TaskForm
from .models import Report, Stage


@login_required
def task_list(request):
    kind = request.GET.get("kind", "open")
    if kind not in selectors.LISTS:
        kind = "open"
    page = page_for_request(selectors.task_page, request, request.user, kind)
    for task in page.items:
        task.deadline_state = deadline_state(task.deadline) if task.is_open else "none"
    counts = selectors.counters(request.user)
    tabs = [(k, str(selectors.LABELS[k]), counts[k]) for k in selectors.LISTS]
    return render(request, "tasks/list.html", {"kind": kind, "page": page, "tabs": tabs,
                                               "can_assign": bool(_assigning_units(request.user))})


def _assigning_units(user):
    return units_with_roles(user, policy.DIRECTORS)


@login_required
def new_task(request):
    units = _assigning_units(request.user)
    if not units:
        raise PermissionDenied
    unit = next((u for u in units if str(u.pk) == request.GET.get("unit")), units[0])
    form = TaskForm(request.POST or None, unit=unit)
    status = 200
    if request.method == "POST":
        def assign(data):
            lead = int(data["lead_user"]) if data["lead_user"] else None
            tasks = services.assign_task(
                actor=request.user, unit=unit, title=data["title"], description=data["description"],
                start_date=data["start_date"], deadline=data["deadline"],
                unit_ids=[] if lead else [int(pk) for pk in data["units"]], lead_user_id=lead,
                origin="meeting" if data["origin_text"] else "none", origin_text=data["origin_text"],
                files=uploaded_files(request))
            return _("%(n)s tasks assigned.") % {"n": len(tasks)}

        outcome = run_action(request, form, assign, flash=FORM_ONLY)
        if outcome.ok:
            return redirect("tasks:list")
        status = outcome.status
    return render(request, "tasks/new.html", {"form": form, "unit": unit, "units": units}, status=status)


def _report(request, data, *, task):
    services.submit_report(actor=request.user, task=task, kind=data["kind"], text=data["text"],
                           percent=data["percent"], difficulties=data["difficulties"], proposals=data["proposals"],
                           proposed_deadline=data["proposed_deadline"], files=uploaded_files(request))
    return _("Report sent.")


def _decide(request, data, *, task):
    report = get_object_or_404(Report, pk=data["report_id"] or 0, task=task)
    services.decide_report(actor=request.user, report=report, approve=data["approve"], note=data["note"])
    return None


TASK_ACTIONS = {"report": Action(ReportForm, _report, flash=FORM_ONLY), "decide": Action(DecideForm, _decide)}


@login_required
def task_detail(request, task_id):
    task = selectors.get_task(task_id)
    if not policy.can_view(request.user, task):
        raise Http404
    can_report = task.is_open and policy.can_report(request.user, task)
    form = ReportForm() if can_report else None
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "report" and not can_report:
            raise PermissionDenied
        outcome = dispatch(request, TASK_ACTIONS, task=task)
        if outcome.ok:
            return redirect("tasks:detail", task_id=task.pk)
        status = outcome.status
        if isinstance(outcome.form, ReportForm):
            form = outcome.form
    pending = selectors.pending_report(task)
    can_decide = pending is not None and (
        (pending.stage == Stage.AWAITING_UNIT_LEADER and policy.can_decide_for_unit(request.user, task))
        or (pending.stage == Stage.AWAITING_ASSIGNER and policy.can_decide_for_assigner(request.user, task)))
    return render(request, "tasks/detail.html", {
        "task": task, "reports": selectors.reports_of(task), "form": form, "pending": pending,
        "can_decide": can_decide, "subtasks": task.subtasks.select_related("executing_unit", "lead_user"),
        "state": deadline_state(task.deadline) if task.is_open else "none",
    }, status=status)
