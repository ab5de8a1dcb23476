"""The similarity index in the database: ``Term`` rows per project and ``TermStat`` document frequencies."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from django.db.models import F

from .models import Term, TermStat
from .similarity import features, idf, project_text, sublinear

if TYPE_CHECKING:
    from .models import Project

N_KEY = "#n"


def _bump(terms: list[str], delta: int) -> None:
    if not terms:
        return
    TermStat.objects.bulk_create([TermStat(term=t, df=0) for t in terms], ignore_conflicts=True)
    TermStat.objects.filter(term__in=terms).update(df=F("df") + delta)


def stats(terms: list[str]) -> tuple[dict[str, int], int]:
    """Document frequencies of ``terms`` and the number of indexed projects, in one query."""
    found = dict(TermStat.objects.filter(term__in=[*terms, N_KEY]).values_list("term", "df"))
    n = found.pop(N_KEY, 0)
    return found, n


def idfs(terms: list[str]) -> tuple[dict[str, float], float]:
    """Inverse document frequencies of ``terms`` over the registry, and that of an unseen term."""
    found, n = stats(terms)
    return {t: idf(found.get(t, 0), n) for t in terms}, idf(0, n)


def reindex(project: Project, *, new: bool) -> None:
    """Replace ``project``'s features; inside the caller's transaction."""
    tf = sublinear(features(project_text(project.name, project.objective)))
    if not new:
        old = list(Term.objects.filter(project=project).values_list("term", flat=True))
        Term.objects.filter(project=project).delete()
        _bump(old, -1)
    else:
        _bump([N_KEY], 1)
    Term.objects.bulk_create([Term(project=project, term=t[:60], tf=w) for t, w in tf.items()])
    _bump(list(tf), 1)
    weights, default = idfs(list(tf))
    project.sim_norm = math.sqrt(sum((w * weights.get(t, default)) ** 2 for t, w in tf.items())) or 1.0
    type(project).objects.filter(pk=project.pk).update(sim_norm=project.sim_norm)
