"""Corpus checks: labels that break the taxonomy, near-identical posts, missing coverage."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from classifier.corpus import RISKS, SECTORS, LabelledPost
from classifier.text import normalise

NEAR_DUPLICATE = 0.8  # cosine of character 4-gram TF-IDF; paraphrases stay well below
# The corpus targets of the issue: enough of every label to learn and to test it.
MINIMUM = {"rows": 4000, "per_sector": 150, "not_relevant": 1200, "critical": 200, "high": 400}
_MARKERS = re.compile(r"\bx[a-z]+x\b")


@dataclass(frozen=True)
class NearDuplicate:
    """Two posts whose texts are almost the same."""

    first: str
    second: str
    similarity: float


def label_problems(posts: Sequence[LabelledPost]) -> list[str]:
    """Rows whose labels are incomplete for the corpus (every field must be decided)."""
    problems = []
    for post in posts:
        if post.relevant is None:
            problems.append(f"{post.id}: нет поля relevant")
        elif post.relevant and (post.sector not in SECTORS or post.risk not in RISKS):
            problems.append(f"{post.id}: у релевантного поста нужны sector и risk")
        elif (
            not post.relevant and post.extra.get("category") is None and post.id.startswith("otk-n")
        ):
            problems.append(f"{post.id}: у нерелевантного поста нет category")
    return problems


def near_duplicates(
    posts: Sequence[LabelledPost], threshold: float = NEAR_DUPLICATE
) -> list[NearDuplicate]:
    """Pairs of posts with character 4-gram cosine similarity at or above `threshold`."""
    texts = [_MARKERS.sub(" ", normalise(p.text)) for p in posts]
    if len(texts) < 2:
        return []
    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(4, 4), dtype=np.float32)
    matrix = vectors.fit_transform(texts)
    similarity = (matrix @ matrix.T).tocsr()
    similarity.data[similarity.data < threshold] = 0
    similarity.eliminate_zeros()
    pairs = similarity.tocoo()
    return [
        NearDuplicate(posts[row].id, posts[col].id, round(float(value), 3))
        for row, col, value in zip(pairs.row, pairs.col, pairs.data, strict=True)
        if row < col
    ]


def coverage_gaps(posts: Sequence[LabelledPost]) -> list[str]:
    """Where the corpus falls short of the issue's minimum counts."""
    gaps = []
    sectors = Counter(p.sector for p in posts if p.relevant)
    risks = Counter(p.risk for p in posts if p.relevant)
    not_relevant = sum(1 for p in posts if p.relevant is False)
    if len(posts) < MINIMUM["rows"]:
        gaps.append(f"всего {len(posts)} < {MINIMUM['rows']}")
    gaps += [
        f"сектор {code}: {sectors[code]} < {MINIMUM['per_sector']}"
        for code in SECTORS
        if sectors[code] < MINIMUM["per_sector"]
    ]
    if not_relevant < MINIMUM["not_relevant"]:
        gaps.append(f"нерелевантных {not_relevant} < {MINIMUM['not_relevant']}")
    gaps += [
        f"риск {level}: {risks[level]} < {MINIMUM[level]}"
        for level in ("critical", "high")
        if risks[level] < MINIMUM[level]
    ]
    return gaps
