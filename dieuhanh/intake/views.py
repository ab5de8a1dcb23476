"""Pages of the intake channels: what the mailboxes and watched folders took in for the clerk's units, unreadable
items with their reason and a retry button."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dieuhanh.kernel.pagination import page_for_request

from . import policy, selectors, services
from .models import ItemState


@login_required
def items(request):
    if not policy.can_view_items(request.user):
        raise PermissionDenied
    state = request.GET.get("state", "")
    if state not in ItemState.values:
        state = ""
    page = page_for_request(selectors.items_page, request, request.user, state=state)
    return render(request, "intake/items.html", {"page": page, "items": page.items, "state": state,
                                                 "states": ItemState.choices})


@login_required
@require_POST
def retry(request, item_id):
    item = selectors.item_for(request.user, item_id)
    if item is None:
        raise Http404
    try:
        services.retry_item(actor=request.user, item=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The item is being taken in again."))
    return redirect("intake:items")
