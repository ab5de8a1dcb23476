"""Pages of the project registry: the list, entering a project, a project with its duplicate candidates and review,
the bulk import, the report with its exports and the platform map. Each posted action runs one service; its
ValidationError is shown beside the fields (400), PermissionDenied gives 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dieuhanh.kernel.ids import parse_id
from dieuhanh.kernel.pagination import page_for_request

from . import exports, policy, selectors, services
from .models import CURRENCIES, Function, Kind, Level, Project, SharedPlatform, Status, Verdict

ADVANCE = {Status.APPROVED: Status.IN_PROGRESS, Status.IN_PROGRESS: Status.ACCEPTED,
           Status.ACCEPTED: Status.IN_OPERATION, Status.IN_OPERATION: Status.RETIRED}


def _errors(exc: ValidationError) -> dict:
    return {k: " ".join(v) for k, v in exc.message_dict.items()} if hasattr(exc, "error_dict") else \
        {"general": " ".join(exc.messages)}


@login_required
def index(request):
    if not policy.can_view_registry(request.user):
        raise PermissionDenied
    q = request.GET.get("q", "")[:200]
    status = request.GET.get("status", "")
    status = status if status in Status.values else ""
    page = page_for_request(selectors.project_page, request, query=q, status=status)
    return render(request, "projects/index.html", {
        "page": page, "q": q, "status": status, "statuses": Status.choices,
        "can_enter": bool(policy.entry_units(request.user))})


def _form_data(post) -> dict:
    data = {k: post.get(k, "") for k in ("code", "name", "unit_id", "scope_id", "level", "kind", "objective",
                                         "budget_amount", "currency", "budget_year", "budget_source", "starts_on",
                                         "ends_on", "scale", "users_count")}
    data["functions"] = post.getlist("functions")
    data["reuses"] = post.getlist("reuses")
    data["data_objects"] = [{"name": line.strip(), "owned": True}
                            for line in post.get("data_objects", "").splitlines() if line.strip()][:50]
    return data


@login_required
def new(request):
    units = policy.entry_units(request.user)
    if not units:
        raise PermissionDenied
    errors, form, status = {}, {}, 200
    if request.method == "POST":
        form = _form_data(request.POST)
        try:
            project = services.create_project(actor=request.user, data=form)
            messages.success(request, _("The project was entered."))
            return redirect("projects:detail", project_id=project.pk)
        except ValidationError as exc:
            errors, status = _errors(exc), 400
    return render(request, "projects/new.html", {
        "units": units, "form": form, "errors": errors, "levels": Level.choices, "kinds": Kind.choices,
        "functions": Function.objects.filter(active=True), "platforms": SharedPlatform.objects.all(),
        "currencies": CURRENCIES}, status=status)


def _act(request, project: Project) -> dict:
    """Run the posted action; the errors to show beside its fields, or {} (then the caller redirects)."""
    action = request.POST.get("action", "")
    user = request.user
    if action == "submit":
        services.submit(actor=user, project=project)
    elif action == "assess":
        verdict = request.POST.get("verdict", "")
        found = selectors.candidates(project)
        services.assess(actor=user, project=project, verdict=verdict, reason=request.POST.get("reason", ""),
                        reuse_id=parse_id(request.POST.get("reuse_id")),
                        candidates=[{"id": c["project"].pk, "score": c["score"]} for c in found["candidates"]])
    elif action == "opinion":
        services.give_opinion(actor=user, project=project, text=request.POST.get("text", ""))
    elif action in ("approve", "refuse"):
        services.decide(actor=user, project=project, approve=action == "approve", note=request.POST.get("note", ""))
    elif action == "advance":
        services.advance(actor=user, project=project, to=request.POST.get("to", ""))
    else:
        return {"action": _("Unknown action.")}
    return {}


@login_required
def detail(request, project_id):
    if not policy.can_view_registry(request.user):
        raise PermissionDenied
    try:
        project = selectors.get_project(project_id)
    except Project.DoesNotExist as exc:
        raise Http404 from exc
    errors, status = {}, 200
    if request.method == "POST":
        try:
            errors = _act(request, project)
            if not errors:
                messages.success(request, _("Saved."))
                return redirect("projects:detail", project_id=project.pk)
            status = 400
        except ValidationError as exc:
            errors, status = _errors(exc), 400
        project = selectors.get_project(project_id)
    can_assess = policy.can_assess(request.user, project)
    can_edit = policy.can_edit(request.user, project)
    found = selectors.candidates(project) if (can_assess or can_edit) else {"candidates": [], "rebuilt_platforms": []}
    return render(request, "projects/detail.html", {
        "project": project, "found": found, "assessments": selectors.assessments_involving(project)[:50],
        "errors": errors, "post": request.POST if status == 400 else {}, "can_edit": can_edit,
        "can_assess": can_assess and project.status == Status.UNDER_REVIEW,
        "can_opine": policy.can_give_opinion(request.user, project) and project.status == Status.UNDER_REVIEW,
        "can_decide": policy.can_decide(request.user, project) and project.status == Status.UNDER_REVIEW,
        "next_status": ADVANCE.get(project.status), "next_label": Status(ADVANCE[project.status]).label
        if project.status in ADVANCE else "", "verdicts": Verdict.choices}, status=status)


@login_required
def bulk_import(request):
    if not policy.entry_units(request.user):
        raise PermissionDenied
    result, errors, status = None, {}, 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors, status = {"file": _("Choose an .xlsx file.")}, 400
        else:
            try:
                result = exports.import_xlsx(actor=request.user, fileobj=upload,
                                             good_rows_only=request.POST.get("mode") == "good_rows")
                status = 200 if result["committed"] else 400
            except ValidationError as exc:
                errors, status = _errors(exc), 400
    return render(request, "projects/import.html", {"result": result, "errors": errors,
                                                    "columns": exports.IMPORT_COLUMNS}, status=status)


@login_required
def import_template(request):
    return HttpResponse(exports.template_xlsx(), headers={
        "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Content-Disposition": 'attachment; filename="projects-import.xlsx"'})


@login_required
def report(request):
    if not policy.can_view_registry(request.user):
        raise PermissionDenied
    fmt = request.GET.get("format", "")
    if fmt == "xlsx":
        return HttpResponse(exports.report_xlsx(), headers={
            "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Content-Disposition": 'attachment; filename="projects-report.xlsx"'})
    if fmt == "pdf":
        return HttpResponse(exports.report_pdf(), headers={
            "Content-Type": "application/pdf", "Content-Disposition": 'attachment; filename="projects-report.pdf"'})
    summary = selectors.summary()
    levels, statuses = dict(Level.choices), dict(Status.choices)
    for row in summary["by_level"]:
        row["label"] = levels.get(row["level"], row["level"])
    for row in summary["by_status"]:
        row["label"] = statuses.get(row["status"], row["status"])
    return render(request, "projects/report.html", {
        "summary": summary,
        "overlaps": selectors.overlaps(100), "platform_map": selectors.platform_map()})
