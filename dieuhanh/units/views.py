from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from dieuhanh.accounts import policy
from dieuhanh.accounts.selectors import members_of
from dieuhanh.kernel.forms import apply_service_errors
from dieuhanh.kernel.pagination import page_for_request

from . import selectors, services
from .forms import UnitForm
from .models import Unit

PAGE_SIZE = 30


@login_required
def directory(request):
    """The directory: a lazily expanded tree, or search results when ``q`` is given."""
    policy.require(policy.can_view_directory(request.user))
    query = request.GET.get("q", "").strip()[:200]
    context = {"query": query}
    if query:
        context["page"] = page_for_request(selectors.unit_page, request, query=query, limit=PAGE_SIZE)
        _attach_ancestry(context["page"].items)
    else:
        context["roots"] = selectors.children_with_flags(None)
    context["can_create_root"] = policy.can_create_root_unit(request.user)
    template = "units/_results.html" if request.headers.get("HX-Request") else "units/directory.html"
    return render(request, template, context)


def _attach_ancestry(units):
    """Set ``unit.ancestry`` to its ancestors' short names, with one query for the whole page."""
    paths = {p for u in units for p in u.ancestor_paths()[:-1]}
    names = dict(Unit.objects.filter(path__in=paths).values_list("path", "short_name"))
    for u in units:
        u.ancestry = " › ".join(names.get(p, "?") for p in u.ancestor_paths()[:-1])


@login_required
def tree_children(request, unit_id=None):
    policy.require(policy.can_view_directory(request.user))
    unit = selectors.get_unit(unit_id) if unit_id is not None else None
    return render(request, "units/_tree.html", {"nodes": selectors.children_with_flags(unit)})


@login_required
def unit_detail(request, unit_id):
    policy.require(policy.can_view_directory(request.user))
    unit = selectors.get_unit(unit_id)
    can_members = policy.can_view_members(request.user, unit)
    return render(request, "units/detail.html", {
        "unit": unit,
        "breadcrumbs": selectors.ancestors(unit),
        "children": selectors.children_with_flags(unit),
        "members": members_of(unit) if can_members else None,
        "can_manage": policy.can_manage_unit(request.user, unit),
    })


@login_required
def unit_edit(request, unit_id):
    unit = selectors.get_unit(unit_id)
    if not policy.can_manage_unit(request.user, unit):
        raise PermissionDenied
    form = UnitForm(request.POST or None, instance=unit if request.method != "POST" else None,
                    initial=None)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_unit(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return redirect("units:detail", unit_id=unit.pk)
    return render(request, "units/form.html", {"form": form, "unit": unit, "parent": unit.parent},
                  status=400 if request.method == "POST" else 200)


@login_required
def unit_create(request, unit_id=None):
    parent = selectors.get_unit(unit_id) if unit_id is not None else None
    allowed = policy.can_manage_unit(request.user, parent) if parent else policy.can_create_root_unit(request.user)
    if not allowed:
        raise PermissionDenied
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "status"}
        try:
            unit = services.create_unit(actor=request.user, parent=parent, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return redirect("units:detail", unit_id=unit.pk)
    return render(request, "units/form.html", {"form": form, "unit": None, "parent": parent},
                  status=400 if request.method == "POST" else 200)
