"""Precision and recall of the text similarity on the labelled set (docs/projects-duplicates.md).

``python -m dieuhanh.projects.evaluation`` prints the threshold sweep on the tuning part and the figures of the
chosen threshold on both parts."""

from __future__ import annotations

from .similarity import THRESHOLD, Corpus, project_text


def scored(projects: list, pairs: list) -> list[tuple[float, bool]]:
    corpus = Corpus(project_text(p[2], p[3]) for p in projects)
    return [(corpus.cosine(i, j), dup) for i, j, dup in pairs]


def precision_recall(scores: list[tuple[float, bool]], threshold: float) -> tuple[float, float, int, int, int]:
    tp = sum(1 for s, d in scores if s >= threshold and d)
    fp = sum(1 for s, d in scores if s >= threshold and not d)
    fn = sum(1 for s, d in scores if s < threshold and d)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, tp, fp, fn


def best_threshold(scores: list[tuple[float, bool]]) -> float:
    """The threshold with the best F2 (recall weighs twice: a missed duplicate costs a budget, a false alarm a
    reviewer's minute), on a 0.01 grid; ties go to the higher threshold."""
    best, best_f = 0.0, -1.0
    for k in range(5, 80):
        t = k / 100
        p, r, *_ = precision_recall(scores, t)
        f = 5 * p * r / (4 * p + r) if p + r else 0.0
        if f >= best_f:
            best, best_f = t, f
    return best


def main() -> None:
    # here, not at the top: the labelled set is test data, loaded only when the evaluation runs
    from .tests.data.labelled_projects import HELD_OUT_GROUPS, PROJECTS, TUNING_GROUPS, pairs

    tuning = scored(PROJECTS, pairs(TUNING_GROUPS))
    held = scored(PROJECTS, pairs(HELD_OUT_GROUPS))
    for k in range(10, 61, 5):
        p, r, tp, fp, fn = precision_recall(tuning, k / 100)
        print(f"tuning t={k / 100:.2f} P={p:.3f} R={r:.3f} tp={tp} fp={fp} fn={fn}")
    print("best on tuning (F2):", best_threshold(tuning), "configured:", THRESHOLD)
    for name, scores in (("tuning", tuning), ("held-out", held)):
        p, r, tp, fp, fn = precision_recall(scores, THRESHOLD)
        print(f"{name}: pairs={len(scores)} dup={tp + fn} P={p:.3f} R={r:.3f} tp={tp} fp={fp} fn={fn}")


if __name__ == "__main__":
    main()
