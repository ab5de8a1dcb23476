"""Reads on the registry: lists, duplicate candidates with their reasons, reports and the platform map."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, Sum

from dieuhanh.kernel.pagination import Page, keyset_page
from dieuhanh.kernel.text import fold
from dieuhanh.units.models import STEP_WIDTH

from . import index
from .models import LIVE, Assessment, DataObject, Function, Project, SharedPlatform, Term
from .similarity import THRESHOLD, features, idf, project_text, sublinear

if TYPE_CHECKING:
    from django.db.models import QuerySet

# Features whose document frequency is above this share of the registry do not generate candidates (they still
# count in the score): "he thong", "quan ly" and most trigrams are everywhere.
SELECTIVE_SHARE = 0.02
MAX_TEXT_CANDIDATES = 150
# The rarest selective features first, until their postings reach this many rows (bounds the work per query).
MAX_POSTINGS = 4000


def projects(*, query: str = "", unit_id: int | None = None, status: str = "") -> QuerySet[Project]:
    qs = Project.objects.select_related("unit")
    if query:
        qs = qs.filter(search_text__contains=fold(query))
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if status:
        qs = qs.filter(status=status)
    return qs


def project_page(*, cursor: str | None = None, limit: int = 50, **filters: Any) -> Page:
    return keyset_page(projects(**filters), ["-id"], cursor=cursor, limit=limit)


def get_project(project_id: int) -> Project:
    return (Project.objects.select_related("unit", "scope", "reviewing_unit", "deciding_document")
            .prefetch_related("functions", "reuses", "data_objects", "depends_on").get(pk=project_id))


def assessments_involving(project: Project) -> QuerySet[Assessment]:
    """The decisions on this project and those naming it as the one to reuse: visible on both."""
    return (Assessment.objects.filter(Q(project=project) | Q(reuse=project))
            .select_related("project", "reuse", "by"))


def _scope_overlap(path: str) -> Q:
    ancestors = [path[:k] for k in range(STEP_WIDTH, len(path) + 1, STEP_WIDTH)]
    return Q(scope_path__startswith=path) | Q(scope_path__in=ancestors)


def text_scores(project: Project) -> dict[int, float]:
    """TF-IDF cosine of ``project`` against the registry's projects that share a selective feature with it."""
    tf = sublinear(features(project_text(project.name, project.objective)))
    terms = list(tf)
    dfs, n = index.stats(terms)
    weights = {t: idf(dfs.get(t, 0), n) for t in terms}
    cap = max(50, n * SELECTIVE_SHARE)
    selective, postings = [], 0
    for t in sorted((t for t in terms if 0 < dfs.get(t, 0) <= cap), key=lambda t: dfs[t]):
        if postings + dfs[t] > MAX_POSTINGS:
            break
        selective.append(t)
        postings += dfs[t]
    partial: defaultdict[int, float] = defaultdict(float)
    for pid, term, w in Term.objects.filter(term__in=selective).exclude(project=project).values_list(
            "project_id", "term", "tf"):
        partial[pid] += w * tf[term] * weights[term] ** 2
    ids = sorted(partial, key=lambda pid: -partial[pid])[:MAX_TEXT_CANDIDATES]
    if not ids:
        return {}
    dots: defaultdict[int, float] = defaultdict(float)
    for pid, term, w in Term.objects.filter(project_id__in=ids, term__in=terms).values_list("project_id", "term", "tf"):
        dots[pid] += w * tf[term] * weights[term] ** 2
    q_norm = sum((w * weights[t]) ** 2 for t, w in tf.items()) ** 0.5 or 1.0
    norms = dict(Project.objects.filter(pk__in=ids).values_list("pk", "sim_norm"))
    return {pid: min(1.0, dots[pid] / (q_norm * (norms.get(pid) or 1.0))) for pid in ids}


def candidates(project: Project, *, limit: int = 20) -> dict[str, Any]:
    """Candidate duplicates of ``project``, ranked, each with its reasons; and the shared platforms it rebuilds."""
    scores = text_scores(project)
    fn_ids = list(project.functions.values_list("pk", flat=True))
    by_function = dict(
        Project.objects.filter(status__in=LIVE, functions__in=fn_ids, starts_on__lte=project.ends_on,
                               ends_on__gte=project.starts_on)
        .filter(_scope_overlap(project.scope_path)).exclude(pk=project.pk)
        .values("pk").annotate(shared=Count("functions", distinct=True)).order_by("-shared", "-pk")
        .values_list("pk", "shared")[:100]) if fn_ids else {}
    owned = list(project.data_objects.filter(owned=True).values_list("key", flat=True))
    by_data: dict[int, list[str]] = defaultdict(list)
    if owned:
        for pid, name in (DataObject.objects.filter(key__in=owned, owned=True).exclude(project=project)
                          .values_list("project_id", "name")[:200]):
            by_data[pid].append(name)
    ranked: dict[int, float] = {}
    for pid in set(scores) | set(by_function) | set(by_data):
        text = scores.get(pid, 0.0)
        if text < THRESHOLD and pid not in by_function and pid not in by_data:
            continue
        ranked[pid] = text + 0.25 * by_function.get(pid, 0) / max(1, len(fn_ids)) + (0.25 if pid in by_data else 0)
    top = sorted(ranked, key=lambda p: (-ranked[p], -p))[:limit * 2]
    found = {p.pk: p for p in Project.objects.filter(pk__in=top, status__in=LIVE).select_related("unit")}
    rows = []
    for pid in top:
        other = found.get(pid)
        if other is None:
            continue
        reasons = []
        if pid in by_function:
            reasons.append({"code": "functions", "shared": by_function[pid]})
        if scores.get(pid, 0.0) >= THRESHOLD:
            reasons.append({"code": "text", "score": round(scores[pid], 3)})
        if pid in by_data:
            reasons.append({"code": "data_object", "names": by_data[pid][:5]})
        rows.append({"project": other, "score": round(ranked[pid], 3), "text_score": round(scores.get(pid, 0.0), 3),
                     "reasons": reasons})
        if len(rows) >= limit:
            break
    reused = set(project.reuses.values_list("pk", flat=True))
    rebuilt = [p for p in SharedPlatform.objects.filter(function_id__in=fn_ids).select_related("function")
               if p.pk not in reused]
    return {"candidates": rows, "rebuilt_platforms": rebuilt}


def summary() -> dict[str, Any]:
    """Projects by level, status, function and budget (sums per currency)."""
    by_level = list(Project.objects.values("level").annotate(n=Count("id")).order_by("level"))
    by_status = list(Project.objects.values("status").annotate(n=Count("id")).order_by("status"))
    by_function = list(Function.objects.annotate(n=Count("projects")).values("code", "name", "n").order_by("code"))
    budget = list(Project.objects.values("currency", "budget_year").annotate(total=Sum("budget_amount"), n=Count("id"))
                  .order_by("currency", "budget_year"))
    return {"by_level": by_level, "by_status": by_status, "by_function": by_function, "budget": budget}


def overlaps(limit: int = 500) -> list[Assessment]:
    return list(Assessment.objects.select_related("project", "reuse", "by", "project__unit")[:limit])


def platform_map(limit: int = 2000) -> list[dict[str, Any]]:
    """Which units use which shared platform (through their projects that reuse it)."""
    rows = (Project.reuses.through.objects.values("sharedplatform__code", "sharedplatform__name",
                                                  "project__unit__code", "project__unit__name")
            .annotate(n=Count("project_id")).order_by("sharedplatform__code", "project__unit__name")[:limit])
    return [{"platform": r["sharedplatform__name"], "platform_code": r["sharedplatform__code"],
             "unit": r["project__unit__name"], "unit_code": r["project__unit__code"], "projects": r["n"]}
            for r in rows]
