"""Clustering short texts of lemmas: TF-IDF, LSA, KMeans with k chosen by silhouette.

Fitting runs on a sample (at most `cluster_sample` texts, drawn with the fixed seed);
every text is then assigned to its nearest centre. The TF-IDF space names the clusters:
the terms with the highest mean weight over a cluster's texts, and the text closest to
that mean as its example.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

from monitor.config import AnalyticsSettings

MIN_CLUSTERS = 3
NAME_TERMS = 3
LSA_DIMENSIONS = 100
SILHOUETTE_SAMPLE = 1000


@dataclass(frozen=True, slots=True)
class Cluster:
    """The texts of one cluster (indices), its naming terms and its most typical text."""

    members: list[int]
    terms: list[str]
    example: int


def _vectorizer(documents: int) -> TfidfVectorizer:
    return TfidfVectorizer(
        token_pattern=r"\S+",
        lowercase=False,
        sublinear_tf=True,
        min_df=2 if documents >= 50 else 1,
        max_df=0.9 if documents >= 20 else 1.0,
    )


def _fit_vectorizer(texts: list[str]) -> tuple[TfidfVectorizer, object] | None:
    for documents in (len(texts), 1):  # fall back to every lemma when few repeat
        vectorizer = _vectorizer(documents)
        try:
            return vectorizer, vectorizer.fit_transform(texts)
        except ValueError:
            continue
    return None  # no text at all


def _best_k(points: np.ndarray, distinct: int, rules: AnalyticsSettings) -> KMeans:
    """KMeans with the k in 3..max_categories whose silhouette is best."""
    rows = points.shape[0]
    most = max(min(rules.max_categories, distinct), 1)
    best: tuple[float, KMeans] | None = None
    for k in range(min(MIN_CLUSTERS, most), most + 1):
        model = KMeans(n_clusters=k, n_init=3, random_state=rules.seed).fit(points)
        score = -1.0
        if 2 <= len(set(model.labels_)) < rows:
            score = float(
                silhouette_score(
                    points,
                    model.labels_,
                    sample_size=min(rows, SILHOUETTE_SAMPLE),
                    random_state=rules.seed,
                )
            )
        if best is None or score > best[0]:
            best = (score, model)
    assert best is not None
    return best[1]


def cluster_texts(texts: list[str], rules: AnalyticsSettings) -> list[Cluster]:
    """Cluster texts of space-separated lemmas; clusters in label order, none empty."""
    if not texts:
        return []
    rng = np.random.default_rng(rules.seed)
    sample = np.arange(len(texts))
    if len(texts) > rules.cluster_sample:
        sample = np.sort(rng.choice(len(texts), rules.cluster_sample, replace=False))
    fitted = _fit_vectorizer([texts[i] for i in sample])
    if fitted is None:
        return [Cluster(list(range(len(texts))), [], 0)]
    vectorizer, weights = fitted
    # One thread: tiny fits drown in thread start-up costs on a busy machine.
    with threadpool_limits(limits=1):
        dimensions = min(LSA_DIMENSIONS, weights.shape[1] - 1, weights.shape[0] - 1)
        lsa = TruncatedSVD(dimensions, random_state=rules.seed) if dimensions >= 2 else None
        points = normalize(lsa.fit_transform(weights)) if lsa else weights.toarray()
        model = _best_k(points, len({texts[i] for i in sample}), rules)
        everything = vectorizer.transform(texts)
        projected = normalize(lsa.transform(everything)) if lsa else everything.toarray()
        labels = model.predict(projected)
    terms = vectorizer.get_feature_names_out()
    clusters = []
    for label in range(model.n_clusters):
        members = np.flatnonzero(labels == label)
        if not len(members):
            continue
        centre = np.asarray(everything[members].mean(axis=0)).ravel()
        top = [str(terms[i]) for i in np.argsort(-centre)[:NAME_TERMS] if centre[i] > 0]
        example = int(members[int(np.argmax(everything[members] @ centre))])
        clusters.append(Cluster(members.tolist(), top, example))
    return clusters
