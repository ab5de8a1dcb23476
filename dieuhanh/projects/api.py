"""/api/v1/projects: the registry of digital-transformation projects, its review and duplicate candidates."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from dieuhanh.accounts.policy import require

from . import exports, policy, selectors, services
from .models import Project

router = Router(tags=["projects"])


class DataObjectIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    owned: bool = True


class ProjectIn(Schema):
    code: str = Field(..., min_length=1, max_length=40)
    name: str = Field(..., min_length=1, max_length=300)
    unit_id: int
    scope_id: int | None = None
    level: str = Field(..., max_length=10, examples=["province"])
    kind: str = Field(..., max_length=16, examples=["software"])
    objective: str = Field("", max_length=8000)
    functions: list[str] = Field(..., max_length=30, examples=[["document-management"]])
    reuses: list[str] = Field([], max_length=20)
    data_objects: list[DataObjectIn] = Field([], max_length=50)
    depends_on: list[int] = Field([], max_length=50)
    users_count: int = Field(0, ge=0, le=100_000_000)
    scale: str = Field("", max_length=200)
    budget_source: str = Field("", max_length=100)
    budget_amount: Decimal = Field(Decimal(0), max_digits=18, decimal_places=0)
    currency: str = Field("VND", max_length=3)
    budget_year: int | None = Field(None, ge=1990, le=2200)
    starts_on: datetime.date
    ends_on: datetime.date


class ProjectPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=300)
    scope_id: int | None = None
    level: str | None = Field(None, max_length=10)
    kind: str | None = Field(None, max_length=16)
    objective: str | None = Field(None, max_length=8000)
    functions: list[str] | None = Field(None, max_length=30)
    reuses: list[str] | None = Field(None, max_length=20)
    data_objects: list[DataObjectIn] | None = Field(None, max_length=50)
    users_count: int | None = Field(None, ge=0, le=100_000_000)
    scale: str | None = Field(None, max_length=200)
    budget_source: str | None = Field(None, max_length=100)
    budget_amount: Decimal | None = Field(None, max_digits=18, decimal_places=0)
    currency: str | None = Field(None, max_length=3)
    budget_year: int | None = Field(None, ge=1990, le=2200)
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    unit_id: int
    unit_name: str
    scope_id: int
    level: str
    kind: str
    status: str
    objective: str
    functions: list[str]
    reuses: list[str]
    budget_amount: str
    currency: str
    budget_year: int | None
    starts_on: datetime.date
    ends_on: datetime.date
    it_opinion: str
    decision_note: str


class ProjectPage(Schema):
    items: list[ProjectOut]
    next_cursor: str | None


class AssessIn(Schema):
    verdict: str = Field(..., max_length=14, examples=["not_duplicate"])
    reason: str = Field(..., min_length=1, max_length=4000)
    reuse_id: int | None = None


class AssessmentOut(Schema):
    id: int
    project_id: int
    project_code: str
    verdict: str
    reuse_id: int | None
    reuse_code: str
    reason: str
    by: str
    at: datetime.datetime


class ProjectTextIn(Schema):
    text: str = Field(..., min_length=1, max_length=8000)


class DecideIn(Schema):
    approve: bool
    note: str = Field("", max_length=4000)


class StatusIn(Schema):
    status: str = Field(..., max_length=14, examples=["in_progress"])


def project_out(p: Project) -> dict:
    return {"id": p.pk, "code": p.code, "name": p.name, "unit_id": p.unit_id, "unit_name": p.unit.name,
            "scope_id": p.scope_id, "level": p.level, "kind": p.kind, "status": p.status, "objective": p.objective,
            "functions": [f.code for f in p.functions.all()], "reuses": [r.code for r in p.reuses.all()],
            "budget_amount": str(p.budget_amount), "currency": p.currency, "budget_year": p.budget_year,
            "starts_on": p.starts_on, "ends_on": p.ends_on, "it_opinion": p.it_opinion,
            "decision_note": p.decision_note}


def assessment_out(a) -> dict:
    return {"id": a.pk, "project_id": a.project_id, "project_code": a.project.code, "verdict": a.verdict,
            "reuse_id": a.reuse_id, "reuse_code": a.reuse.code if a.reuse else "", "reason": a.reason,
            "by": a.by.get_full_name() or a.by.username, "at": a.at}


def _visible(request, project_id: int) -> Project:
    if not policy.can_view_registry(request.user):
        raise Http404
    try:
        return selectors.get_project(project_id)
    except Project.DoesNotExist as exc:
        raise Http404 from exc


@router.get("/projects", response=ProjectPage, summary="The registry of projects (newest first)")
def list_projects(request, q: str = Query("", max_length=200), unit_id: int | None = None,
                  status: str = Query("", max_length=14), cursor: str | None = Query(None, max_length=500),
                  limit: int = Query(50, ge=1, le=200)):
    require(policy.can_view_registry(request.user))
    page = selectors.project_page(query=q, unit_id=unit_id, status=status, cursor=cursor, limit=limit)
    items = Project.objects.filter(pk__in=[p.pk for p in page.items]).select_related("unit") \
        .prefetch_related("functions", "reuses").order_by("-id")
    return {"items": [project_out(p) for p in items], "next_cursor": page.next_cursor}


@router.post("/projects", response={201: ProjectOut}, summary="Enter a project for one of my units")
def create(request, payload: ProjectIn):
    data = payload.dict()
    project = services.create_project(actor=request.user, data=data)
    return 201, project_out(selectors.get_project(project.pk))


@router.get("/projects/report", response=dict, summary="Projects by level, status, function and budget")
def report(request):
    require(policy.can_view_registry(request.user))
    s = selectors.summary()
    s["budget"] = [{**r, "total": str(r["total"] or 0)} for r in s["budget"]]
    s["platform_map"] = selectors.platform_map()
    s["overlaps"] = [assessment_out(a) for a in selectors.overlaps()]
    return s


@router.get("/projects/report.xlsx", summary="The report as .xlsx")
def report_xlsx(request):
    require(policy.can_view_registry(request.user))
    return HttpResponse(exports.report_xlsx(),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@router.get("/projects/report.pdf", summary="The report as PDF")
def report_pdf(request):
    require(policy.can_view_registry(request.user))
    return HttpResponse(exports.report_pdf(), content_type="application/pdf")


@router.post("/projects/import", response=dict, summary="Import projects from .xlsx, all-or-nothing or good rows only")
def bulk_import(request, file: File[UploadedFile], good_rows_only: Form[bool] = False):
    if not policy.entry_units(request.user):
        raise PermissionDenied
    return exports.import_xlsx(actor=request.user, fileobj=file, good_rows_only=good_rows_only)


@router.get("/projects/{project_id}", response=ProjectOut, summary="One project")
def get(request, project_id: int):
    return project_out(_visible(request, project_id))


@router.patch("/projects/{project_id}", response=ProjectOut, summary="Update a project of my unit")
def update(request, project_id: int, payload: ProjectPatch):
    project = _visible(request, project_id)
    data = {k: v for k, v in payload.dict().items() if v is not None}
    services.update_project(actor=request.user, project=project, data=data)
    return project_out(selectors.get_project(project_id))


@router.get("/projects/{project_id}/candidates", response=dict, summary="Candidate duplicates with their reasons")
def candidates(request, project_id: int, limit: int = Query(20, ge=1, le=100)):
    found = selectors.candidates(_visible(request, project_id), limit=limit)
    return {"candidates": [{"id": c["project"].pk, "code": c["project"].code, "name": c["project"].name,
                            "unit": c["project"].unit.name, "score": c["score"], "text_score": c["text_score"],
                            "reasons": c["reasons"]} for c in found["candidates"]],
            "rebuilt_platforms": [p.code for p in found["rebuilt_platforms"]]}


@router.get("/projects/{project_id}/assessments", response=list[AssessmentOut],
            summary="Duplication decisions on this project or naming it")
def assessments(request, project_id: int):
    return [assessment_out(a) for a in selectors.assessments_involving(_visible(request, project_id))[:200]]


@router.post("/projects/{project_id}/submit", response=ProjectOut, summary="Send the proposal for review")
def submit(request, project_id: int):
    services.submit(actor=request.user, project=_visible(request, project_id))
    return project_out(selectors.get_project(project_id))


@router.post("/projects/{project_id}/assessments", response={201: AssessmentOut},
             summary="Record the duplication assessment")
def assess(request, project_id: int, payload: AssessIn):
    project = _visible(request, project_id)
    a = services.assess(actor=request.user, project=project, verdict=payload.verdict, reason=payload.reason,
                        reuse_id=payload.reuse_id)
    return 201, assessment_out(a)


@router.post("/projects/{project_id}/opinion", response=ProjectOut, summary="The IT body's opinion")
def opinion(request, project_id: int, payload: ProjectTextIn):
    services.give_opinion(actor=request.user, project=_visible(request, project_id), text=payload.text)
    return project_out(selectors.get_project(project_id))


@router.post("/projects/{project_id}/decision", response=ProjectOut, summary="The leader approves or refuses")
def decision(request, project_id: int, payload: DecideIn):
    services.decide(actor=request.user, project=_visible(request, project_id), approve=payload.approve,
                    note=payload.note)
    return project_out(selectors.get_project(project_id))


@router.post("/projects/{project_id}/status", response=ProjectOut,
             summary="Progress: in_progress, accepted, in_operation, retired")
def status(request, project_id: int, payload: StatusIn):
    services.advance(actor=request.user, project=_visible(request, project_id), to=payload.status)
    return project_out(selectors.get_project(project_id))
