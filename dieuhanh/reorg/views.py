"""Pages for reorganizations: the decisions, and one decision with its dry run and the execute button. System
administrators only (403 for everyone else); recording a decision is done through the API."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.core.pagination import page_for_request

from . import policy, selectors, services
from .models import Decision, DecisionStatus


def _admin(request):
    if not policy.can_reorganize(request.user):
        raise PermissionDenied


@login_required
def index(request):
    _admin(request)
    page = page_for_request(selectors.decision_page, request)
    return render(request, "reorg/index.html", {"page": page})


@login_required
def detail(request, decision_id):
    _admin(request)
    try:
        decision = selectors.get_decision(decision_id)
    except Decision.DoesNotExist as exc:
        raise Http404 from exc
    status = 200
    if request.method == "POST":
        try:
            services.execute(actor=request.user, decision=decision)
            messages.success(request, _("The reorganization was executed."))
            return redirect("reorg:detail", decision_id=decision.pk)
        except ValidationError as exc:
            for msgs in exc.message_dict.values():
                for msg in msgs:
                    messages.error(request, msg)
            status = 400
    preview = selectors.preview(decision, today=timezone.localdate())
    return render(request, "reorg/detail.html", {
        "decision": decision, "preview": preview, "items": decision.items.select_related("old_unit", "successor"),
        "can_execute": decision.status != DecisionStatus.EXECUTED and not any(
            p["blocking"] for p in preview["problems"]) and decision.effective_on <= timezone.localdate(),
    }, status=status)
