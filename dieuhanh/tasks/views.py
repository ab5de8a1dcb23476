"""Pages for tasks: my lists, assigning, a task with its reports and decisions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from dieuhanh.accounts.policy import units_with_roles
from dieuhanh.documents.forms import uploaded_files
from dieuhanh.kernel.forms import apply_service_errors
from dieuhanh.kernel.pagination import page_for_request
from dieuhanh.processing.calendar import deadline_state

from . import policy, selectors, services
from .forms import ReportForm, TaskForm
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
    return render(request, "tasks/list.html", {"kind": kind, "page": page, "tabs": tabs, "cap": 1000,
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
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        lead = int(data["lead_user"]) if data["lead_user"] else None
        try:
            tasks = services.assign_task(
                actor=request.user, unit=unit, title=data["title"], description=data["description"],
                start_date=data["start_date"], deadline=data["deadline"],
                unit_ids=[] if lead else [int(pk) for pk in data["units"]], lead_user_id=lead,
                origin="meeting" if data["origin_text"] else "none", origin_text=data["origin_text"],
                files=uploaded_files(request))
        except ValidationError as exc:
            if "unit_ids" in getattr(exc, "error_dict", {}):
                form.add_error("units", exc.message_dict["unit_ids"])
            else:
                apply_service_errors(form, exc)
        else:
            messages.success(request, _("%(n)s tasks assigned.") % {"n": len(tasks)})
            return redirect("tasks:list")
    return render(request, "tasks/new.html", {"form": form, "unit": unit, "units": units},
                  status=400 if request.method == "POST" else 200)


@login_required
def task_detail(request, task_id):
    task = selectors.get_task(task_id)
    if not policy.can_view(request.user, task):
        raise Http404
    can_report = task.is_open and policy.can_report(request.user, task)
    form = ReportForm(request.POST or None) if can_report else None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "report":
                if form is None:
                    raise PermissionDenied
                if form.is_valid():
                    d = form.cleaned_data
                    services.submit_report(actor=request.user, task=task, kind=d["kind"], text=d["text"],
                                           percent=d["percent"], difficulties=d["difficulties"],
                                           proposals=d["proposals"], proposed_deadline=d["proposed_deadline"],
                                           files=uploaded_files(request))
                    messages.success(request, _("Report sent."))
                    return redirect("tasks:detail", task_id=task.pk)
            elif action == "decide":
                report_id = request.POST.get("report_id", "")
                report = get_object_or_404(Report, pk=int(report_id) if report_id.isdigit() else 0, task=task)
                services.decide_report(actor=request.user, report=report, approve=request.POST.get("approve") == "1",
                                       note=request.POST.get("note", ""))
                return redirect("tasks:detail", task_id=task.pk)
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as exc:
            if form is not None and hasattr(exc, "error_dict"):
                apply_service_errors(form, exc)
            else:
                messages.error(request, " ".join(exc.messages))
        status = 400
    pending = selectors.pending_report(task)
    can_decide = pending is not None and (
        (pending.stage == Stage.AWAITING_UNIT_LEADER and policy.can_decide_for_unit(request.user, task))
        or (pending.stage == Stage.AWAITING_ASSIGNER and policy.can_decide_for_assigner(request.user, task)))
    return render(request, "tasks/detail.html", {
        "task": task, "reports": selectors.reports_of(task), "form": form, "pending": pending,
        "can_decide": can_decide, "subtasks": task.subtasks.select_related("executing_unit", "lead_user"),
        "state": deadline_state(task.deadline) if task.is_open else "none",
    }, status=status)
