"""Pages for processing: my work, documents awaiting direction, a document's processing, one flow."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from dieuhanh.accounts.models import Role
from dieuhanh.accounts.policy import units_with_roles
from dieuhanh.documents.forms import uploaded_files
from dieuhanh.documents.models import IncomingEntry
from dieuhanh.documents.storage import download_response
from dieuhanh.kernel.forms import apply_service_errors
from dieuhanh.kernel.ids import parse_id
from dieuhanh.kernel.pagination import page_for_request
from dieuhanh.units.models import Unit

from . import hooks, policy, selectors, services
from .calendar import deadline_state
from .forms import CompleteForm, ExtensionForm, HandlersForm, ReasonForm, TextForm, handler_choices, to_handlers
from .models import ExtensionRequest
from .slip import render_slip

TABS = [("processing", _("My processing")), ("due_soon", _("Due soon")), ("overdue", _("Overdue")),
        ("info", _("For information")), ("returned", _("Returned to me"))]


@login_required
def my_work(request):
    kind = request.GET.get("kind", "processing")
    if kind not in selectors.LISTS:
        kind = "processing"
    page = page_for_request(selectors.flow_page, request, request.user, kind)
    for flow in page.items:
        flow.deadline_state = deadline_state(flow.deadline)
    return render(request, "processing/my_work.html", {
        "kind": kind, "page": page, "counts": selectors.counters(request.user),
        "tabs": [(k, str(label)) for k, label in TABS]})


def _directing_units(user):
    return units_with_roles(user, {Role.LEADER, Role.DEPUTY, Role.CLERK})


@login_required
def awaiting(request):
    units = _directing_units(request.user)
    if not units:
        raise PermissionDenied
    unit = next((u for u in units if str(u.pk) == request.GET.get("unit")), units[0])
    page = page_for_request(selectors.awaiting_assignment_page, request, unit, request.user)
    return render(request, "processing/awaiting.html", {"units": units, "unit": unit, "page": page})


def _assign_form(request, entry):
    user = request.user
    if policy.can_direct(user, entry.unit):
        leaders = None
    elif policy.can_direct_on_behalf(user, entry.unit):
        leaders = get_user_model().objects.filter(memberships__unit=entry.unit, memberships__ended_at__isnull=True,
                                                  memberships__role__in=[Role.LEADER, Role.DEPUTY]).distinct()
    else:
        return None
    return HandlersForm(request.POST or None, choices=handler_choices([entry.unit.path]), leaders=leaders)


@login_required
def entry_detail(request, entry_id):
    entry = get_object_or_404(IncomingEntry.objects.select_related("document__document_type", "unit", "register",
                                                                   "delivery"), pk=entry_id)
    if not policy.can_view_entry(request.user, entry):
        raise Http404
    form = _assign_form(request, entry)
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.assign(actor=request.user, entry=entry, handlers=to_handlers(form.cleaned_data),
                                direction=form.cleaned_data["direction"], deadline=form.cleaned_data["deadline"],
                                on_behalf_of=form.cleaned_data.get("on_behalf_of"))
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The direction has been sent to the handlers."))
                return redirect("processing:entry", entry_id=entry.pk)
        status = 400
    flows = selectors.tree(entry)
    for flow in flows:
        flow.deadline_state = deadline_state(flow.deadline) if flow.is_open else "none"
    return render(request, "processing/entry.html", {"entry": entry, "doc": entry.document, "flows": flows,
                                                     "form": form}, status=status)


@login_required
def slip(request, entry_id):
    entry = get_object_or_404(IncomingEntry.objects.select_related("document__document_type", "unit", "register"),
                              pk=entry_id)
    if not policy.can_view_entry(request.user, entry):
        raise Http404
    return download_response(render_slip(entry), filename=f"phieu-giai-quyet-{entry.arrival_number}.pdf",
                             content_type="application/pdf", inline=True)


ACTIONS = {
    "forward": HandlersForm, "opinion": TextForm, "complete": CompleteForm, "return": ReasonForm,
    "extension": ExtensionForm,
}


@login_required
def flow_detail(request, flow_id):
    flow = selectors.get_flow(flow_id)
    if not policy.can_view_flow(request.user, flow):
        raise Http404
    can_act = policy.can_act(request.user, flow) and flow.is_open
    reach = policy.reach_units(request.user, flow) if can_act else []
    forms_ = {
        "forward": HandlersForm(choices=handler_choices(reach)) if reach and flow.role != "info" else None,
        "opinion": TextForm(), "complete": CompleteForm() if can_act else None,
        "return": ReasonForm() if can_act and flow.parent_id else None,
        "extension": ExtensionForm() if can_act and flow.deadline and flow.parent_id else None,
    }
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            done = _act(request, flow, action, forms_, reach)
        except ValidationError as exc:
            form = forms_.get(action)
            if form is not None:
                apply_service_errors(form, exc)
            else:
                messages.error(request, " ".join(exc.messages))
            done = False
        if done:
            return redirect("processing:flow", flow_id=flow.pk)
        status = 400
    elif can_act:
        services.mark_read(actor=request.user, flow=flow)
    pending = list(ExtensionRequest.objects.filter(flow__parent=flow, status="pending").select_related("flow")) + \
        list(ExtensionRequest.objects.filter(flow=flow, status="pending"))
    deciding = [r for r in pending if services.can_decide_extension(request.user, r.flow)]
    return render(request, "processing/flow.html", {
        "flow": flow, "doc": flow.entry.document, "can_act": can_act, "forms": forms_,
        "children": flow.children.select_related("handler_unit", "handler_user").order_by("id"),
        "notes": flow.notes.select_related("author").prefetch_related("files").order_by("id"),
        "reads": flow.reads.select_related("user").order_by("first_read_at"),
        "deciding": deciding, "state": deadline_state(flow.deadline) if flow.is_open else "none",
    }, status=status)


def _act(request, flow, action, forms_, reach):
    """Run one posted action; return True when done, False when the form has errors."""
    user = request.user
    if action == "decide":
        request_id = request.POST.get("request_id", "")
        req = get_object_or_404(ExtensionRequest, pk=parse_id(request_id) or 0)
        services.decide_extension(actor=user, request=req, approve=request.POST.get("approve") == "1",
                                  note=request.POST.get("note", ""))
        return True
    if action not in ACTIONS:
        raise ValidationError(_("Unknown action."))
    if action != "opinion" and forms_.get(action) is None:
        raise PermissionDenied
    form = ACTIONS[action](request.POST, choices=handler_choices(reach)) if action == "forward" \
        else ACTIONS[action](request.POST)
    forms_[action] = form
    if not form.is_valid():
        return False
    data = form.cleaned_data
    if action == "forward":
        services.forward(actor=user, flow=flow, handlers=to_handlers(data), direction=data["direction"],
                         deadline=data["deadline"])
    elif action == "opinion":
        services.add_opinion(actor=user, flow=flow, text=data["text"], files=uploaded_files(request))
    elif action == "complete":
        services.complete(actor=user, flow=flow, result=data["result"], files=uploaded_files(request))
    elif action == "return":
        services.return_flow(actor=user, flow=flow, reason=data["reason"])
    elif action == "extension":
        services.request_extension(actor=user, flow=flow, new_deadline=data["new_deadline"], reason=data["reason"])
    messages.success(request, _("Done."))
    return True


def _tracker_params(request):
    """(unit, start, end) from the query string; the range defaults to this month, bad dates fall back to it."""
    import datetime

    from django.utils import timezone

    units = [u for u in _directing_units(request.user) if policy.can_track(request.user, u)]
    unit = None
    if parse_id(request.GET.get("unit")) is not None:
        unit = Unit.objects.filter(pk=parse_id(request.GET["unit"])).first()
        if unit is None or not policy.can_track(request.user, unit):
            raise Http404
    elif units:
        unit = units[0]
    if unit is None:
        raise PermissionDenied
    today = timezone.localdate()
    try:
        start = datetime.date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        start = today.replace(day=1)
    try:
        end = datetime.date.fromisoformat(request.GET.get("to", ""))
    except ValueError:
        end = today
    return units, unit, start, end


@login_required
def tracker(request):
    units, unit, start, end = _tracker_params(request)
    return render(request, "processing/tracker.html", {"units": units, "unit": unit, "start": start, "end": end,
                                                       "rows": selectors.tracker(unit, start, end, request.user),
                                                       **hooks.tracker_rows(unit, start, end),  # tasks: task_rows
                                                       "cells": selectors.TRACKER_CELLS})


@login_required
def tracker_items(request):
    units, unit, start, end = _tracker_params(request)
    cell = request.GET.get("cell", "")
    if cell not in selectors.TRACKER_CELLS:
        raise Http404
    ids = {key: parse_id(request.GET.get(key)) for key in ("user", "handler_unit")}
    items = selectors.tracker_items(unit, start, end, cell, user=request.user, handler_user_id=ids.get("user"),
                                    handler_unit_id=ids.get("handler_unit"))[:500]
    return render(request, "processing/tracker_items.html", {"unit": unit, "start": start, "end": end,
                                                             "cell": cell, "items": items})
