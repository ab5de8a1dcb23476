"""The search page: one box, filters folded away, highlighted snippets, saved searches."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dieuhanh.kernel.forms import apply_service_errors
from dieuhanh.kernel.pagination import COUNT_CAP

from . import selectors, services
from .forms import SaveForm, SearchForm
from .models import SavedSearch


@login_required
def search(request):
    form = SearchForm(request.GET or None)
    result, query_string = None, ""
    if form.is_bound and form.is_valid():
        params = form.params()
        query_string = urlencode(params)
        if params:
            try:
                result = selectors.search(request.user, q=params.get("q", ""), filters=form.filters(),
                                          sort=params.get("sort", "relevance"), cursor=request.GET.get("cursor"))
            except ValidationError as exc:
                if "cursor" in getattr(exc, "message_dict", {}):
                    return redirect(f"{request.path}?{query_string}")  # a mangled link starts again
                apply_service_errors(form, exc)
    return render(request, "search/search.html", {
        "form": form, "result": result, "query_string": query_string, "save_form": SaveForm(),
        "saved": selectors.saved_searches(request.user), "cap": COUNT_CAP,
        "advanced": any(form.data.get(f) for f in form.fields if f not in ("q", "sort")) if form.is_bound else False,
    })


@login_required
@require_POST
def save(request):
    form = SaveForm(request.POST)
    search_form = SearchForm(request.POST)
    if form.is_valid() and search_form.is_valid():
        try:
            services.save_search(actor=request.user, name=form.cleaned_data["name"], params=search_form.params())
            messages.success(request, _("Search saved."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Give the search a name."))
    params = search_form.params() if search_form.is_valid() else {}
    return redirect(f"/search/?{urlencode(params)}")


@login_required
@require_POST
def delete_saved(request, saved_id):
    saved = get_object_or_404(SavedSearch, pk=saved_id, user=request.user)
    services.delete_saved_search(actor=request.user, saved=saved)
    messages.success(request, _("Saved search deleted."))
    return redirect("search:search")


@login_required
def run_saved(request, saved_id):
    saved = get_object_or_404(SavedSearch, pk=saved_id, user=request.user)
    return redirect(f"/search/?{urlencode(saved.params)}")
