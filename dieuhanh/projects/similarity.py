"""Text similarity of project names and objectives: TF-IDF cosine over folded Vietnamese text (decision 0051).

Features of a text: after folding (no diacritics, đ->d, lower case) and expanding the usual abbreviations
(CSDL, CĐS, QLVB, ...), its words, its word bigrams and the character trigrams of each word. Weights are sublinear
term frequency times inverse document frequency; the score is the cosine of two weighted vectors, 0..1.

The same functions serve the labelled evaluation (an in-memory corpus) and the database index (``Term`` rows,
inverse document frequencies counted over the live registry at query time)."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping

from dieuhanh.kernel.text import fold

# Chosen on the tuning part of the labelled set (docs/projects-duplicates.md); the held-out part was not looked at.
THRESHOLD = 0.19

ABBREVIATIONS = {
    "csdl": "co so du lieu", "cds": "chuyen doi so", "qlvb": "quan ly van ban", "qlvbdh": "quan ly van ban dieu hanh",
    "vbdh": "van ban dieu hanh", "hsdv": "ho so dang vien", "dv": "dang vien", "cntt": "cong nghe thong tin",
    "httt": "he thong thong tin", "ht": "he thong", "pm": "phan mem", "ql": "quan ly", "htql": "he thong quan ly",
    "hntt": "hoi nghi truyen hinh", "tt": "truc tuyen", "kso": "ky so", "cks": "chu ky so", "dvc": "dich vu cong",
    "tthc": "thu tuc hanh chinh", "lgsp": "truc lien thong", "ioc": "trung tam dieu hanh thong minh",
    "vb": "van ban", "hs": "ho so", "ttdl": "trung tam du lieu", "dc": "danh cho", "email": "thu dien tu",
    "e-mail": "thu dien tu", "mail": "thu dien tu", "video": "truyen hinh", "hop": "hoi nghi",
}
_WORD = re.compile(r"[a-z0-9]+")
MIN_TERM_LEN = 2


def words(text: str) -> list[str]:
    out: list[str] = []
    for w in _WORD.findall(fold(text).lower()):
        out.extend(ABBREVIATIONS.get(w, w).split())
    return out


def features(text: str) -> Counter[str]:
    """Word unigrams (``w:``), word bigrams (``b:``) and in-word character trigrams (``c:``) with their counts."""
    ws = words(text)
    counts: Counter[str] = Counter()
    for w in ws:
        if len(w) >= MIN_TERM_LEN:
            counts[("w:" + w)[:60]] += 1
        padded = f"_{w}_"
        for i in range(len(padded) - 2):
            counts["c:" + padded[i:i + 3]] += 1
    for a, b in zip(ws, ws[1:], strict=False):
        counts[f"b:{a}_{b}"[:60]] += 1
    return counts


def project_text(name: str, objective: str) -> str:
    """The name counts twice: it says what the system is; the objective often says why."""
    return f"{name} {name} {objective}"


def sublinear(counts: Mapping[str, int]) -> dict[str, float]:
    return {t: 1.0 + math.log(c) for t, c in counts.items()}


def idf(df: int, n: int) -> float:
    return math.log((n + 1) / (df + 1)) + 1.0


def norm(tf: Mapping[str, float], idfs: Mapping[str, float], default_idf: float) -> float:
    return math.sqrt(sum((w * idfs.get(t, default_idf)) ** 2 for t, w in tf.items())) or 1.0


class Corpus:
    """An in-memory corpus: document frequencies over a set of texts, and the cosine of any two of them."""

    def __init__(self, texts: Iterable[str]):
        self.tfs = [sublinear(features(t)) for t in texts]
        df: Counter[str] = Counter()
        for tf in self.tfs:
            df.update(tf.keys())
        n = len(self.tfs)
        self.idfs = {t: idf(c, n) for t, c in df.items()}
        self.default_idf = idf(0, n)
        self.norms = [norm(tf, self.idfs, self.default_idf) for tf in self.tfs]

    def cosine(self, i: int, j: int) -> float:
        a, b = self.tfs[i], self.tfs[j]
        if len(a) > len(b):
            a, b = b, a
        dot = sum(w * b[t] * self.idfs[t] ** 2 for t, w in a.items() if t in b)
        return dot / (self.norms[i] * self.norms[j])
