"""Pages for reorganizations: the decisions, the form that records one, and one decision with its dry run, its
execution's progress and the execute button. System administrators only (403 for everyone else)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dieuhanh.kernel.actions import LABELLED, run_action
from dieuhanh.kernel.ids import parse_id
from dieuhanh.kernel.pagination import page_for_request
from dieuhanh.units.models import Unit, UnitStatus

from . import forms, policy, selectors, services
from .models import Decision, DecisionKind, DecisionStatus, ExecutionStep

STEP_LABELS = {
    "freeze": gettext_lazy("Close registers and number series"),
    "incoming": gettext_lazy("Open incoming documents"),
    "flows": gettext_lazy("Processing handled for other units"),
    "tasks": gettext_lazy("Tasks"),
    "drafts": gettext_lazy("Drafts"),
    "deliveries": gettext_lazy("Documents not yet received"),
    "subunits": gettext_lazy("Sub-units"),
    "successor": gettext_lazy("Collection handed to the successor"),
    "memberships": gettext_lazy("Memberships"),
    "status": gettext_lazy("Unit status"),
}
COUNT_LABELS = {
    "documents": gettext_lazy("Documents of the collection"),
    "incoming_open": gettext_lazy("Open incoming documents"),
    "flows_open": gettext_lazy("Open processing flows"),
    "tasks_open": gettext_lazy("Open tasks"),
    "drafts_open": gettext_lazy("Open drafts"),
    "deliveries_pending": gettext_lazy("Documents not yet received"),
    "record_files_open": gettext_lazy("Open record files"),
    "record_files_closed": gettext_lazy("Closed record files"),
    "registers_open": gettext_lazy("Open registers"),
    "series_active": gettext_lazy("Active number series"),
    "memberships_active": gettext_lazy("Active memberships"),
    "users": gettext_lazy("People"),
    "sub_units": gettext_lazy("Sub-units"),
}


def _admin(request):
    if not policy.can_reorganize(request.user):
        raise PermissionDenied


def _decision_or_404(decision_id):
    try:
        return selectors.get_decision(decision_id)
    except Decision.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def index(request):
    _admin(request)
    page = page_for_request(selectors.decision_page, request)
    return render(request, "reorg/index.html", {"page": page})


@login_required
def detail(request, decision_id):
    _admin(request)
    decision = _decision_or_404(decision_id)
    status = 200
    if request.method == "POST":
        def execute(data):
            services.execute(actor=request.user, decision=decision)
            return _("The reorganization was executed.")

        outcome = run_action(request, forms.ExecuteForm(request.POST), execute, flash=LABELLED)
        if outcome.ok:
            return redirect("reorg:detail", decision_id=decision.pk)
        status = outcome.status
    preview = selectors.preview(decision, today=timezone.localdate())
    for u in preview["units"]:
        u["count_rows"] = [(COUNT_LABELS.get(k, k), v) for k, v in u["counts"].items()]
    return render(request, "reorg/detail.html", {
        "decision": decision, "preview": preview, "progress": progress_of(decision),
        "items": decision.items.select_related("old_unit", "successor", "department"),
        "can_execute": decision.status != DecisionStatus.EXECUTED and not any(
            p["blocking"] for p in preview["problems"]) and decision.effective_on <= timezone.localdate(),
    }, status=status)


STEP_COUNT_LABELS = {
    "registers_closed": gettext_lazy("registers closed"), "series_closed": gettext_lazy("series closed"),
    "incoming": gettext_lazy("incoming"), "flows": gettext_lazy("flows"), "tasks": gettext_lazy("tasks"),
    "drafts": gettext_lazy("drafts"), "redirected": gettext_lazy("redirected"), "withdrawn": gettext_lazy("withdrawn"),
    "sub_units": gettext_lazy("sub-units"), "units_moved": gettext_lazy("units moved with them"),
    "successor": gettext_lazy("successor"), "ended": gettext_lazy("ended"), "created": gettext_lazy("re-created"),
    "deactivated": gettext_lazy("deactivated"), "status": gettext_lazy("status"),
}


def _step_counts(step):
    """(label, value) of what a step did, in words: unit ids become names, statuses their labels."""
    if step is None:
        return []
    rows = []
    for key, value in step.counts.items():
        if key == "successor":
            value = Unit.objects.filter(pk=value).values_list("name", flat=True).first() or value
        elif key == "status":
            value = UnitStatus(value).label if value in UnitStatus.values else value
        rows.append((STEP_COUNT_LABELS.get(key, key), value))
    return rows


def progress_of(decision):
    """Each old unit's steps, done or not, with what each moved: the execution is resumable step by step."""
    done = {(s.old_unit_id, s.name): s for s in ExecutionStep.objects.filter(decision=decision)}
    units = []
    for unit_id, items in selectors.items_by_unit(decision).items():
        steps = [{"name": name, "label": STEP_LABELS[name], "step": done.get((unit_id, name)),
                  "counts": _step_counts(done.get((unit_id, name)))} for name in services.STEPS]
        units.append({"unit": items[0].old_unit, "steps": steps})
    total = len(units) * len(services.STEPS)
    last = max((s.done_at for s in done.values()), default=None)
    # poll while steps keep coming; an execution interrupted long ago waits for the button instead
    running = decision.status == DecisionStatus.EXECUTING and (
        last is None or timezone.now() - last < datetime.timedelta(minutes=5))
    return {"units": units, "total": total, "done": len(done), "percent": round(100 * len(done) / total) if total
            else 0, "running": running}


@login_required
def progress(request, decision_id):
    """The progress card alone, polled by the page while an execution is under way (or was interrupted)."""
    _admin(request)
    decision = _decision_or_404(decision_id)
    return render(request, "reorg/_progress.html", {"decision": decision, "progress": progress_of(decision)})


@login_required
def new(request):
    """Record a decision. "Find" and "More lines" re-show the form with what was typed (nothing is written); a
    refused decision comes back with the service's errors beside their fields, status 400, nothing written."""
    _admin(request)
    data = request.POST if request.method == "POST" else None
    kind = (data or request.GET).get("kind", "")
    if kind not in DecisionKind.values:
        kind = DecisionKind.MERGE
    rows = None
    if data is not None and "more" in data:
        rows = (parse_id(data.get("rows")) or 2) + 1
    form = forms.DecisionForm(data, kind=kind, rows=rows)
    status = 200
    if data is not None and "find" not in data and "more" not in data:
        status = 400
        if form.is_valid():
            kwargs = form.service_kwargs()
            if not form.errors:
                try:
                    decision = services.record_decision(actor=request.user, **kwargs)
                except ValidationError as exc:
                    form.apply_service_errors(exc)
                else:
                    messages.success(request, _("The decision was recorded. Check its dry run before executing it."))
                    return redirect("reorg:detail", decision_id=decision.pk)
    if data is not None and ("find" in data or "more" in data):
        form.errors.clear()  # only looking up units or adding a line: no complaint about fields not filled yet
    return render(request, "reorg/new.html", {"form": form, "kind": kind, "kinds": DecisionKind.choices},
                  status=status)


@login_required
def unit_options(request):
    """The options of one unit picker for the words typed (htmx): the chosen unit first, then the matches."""
    _admin(request)
    field = request.GET.get("field", "")
    if not field.replace("_", "").isalnum() or len(field) > 20:
        field = ""
    within = None
    if field.startswith("dept_"):
        within = Unit.objects.filter(pk=parse_id(request.GET.get("old"))).first()
    options = forms.unit_options(selected=parse_id(request.GET.get(field)), query=request.GET.get(f"{field}_q", ""),
                                 within=within)
    return render(request, "reorg/_unit_options.html", {"options": options, "selected": parse_id(
        request.GET.get(field)), "query": request.GET.get(f"{field}_q", "")})
