"""Clustering short texts of lemmas: TF-IDF, LSA, KMeans with k chosen by silhouette.

Fitting runs on a sample (at most `cluster_sample` texts, drawn with the fixed seed);
every text is then assigned to its nearest centre. The TF-IDF space names the clusters:
the terms with the highest mean weight over a cluster's texts, and the text closest to
that mean as its example.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import spmatrix
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
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


def _vectorizer(documents: int, ignore: frozenset[str]) -> TfidfVectorizer:
    def words(text: str) -> list[str]:
        # Texts are lemmas already: splitting is all the analysis they need.
        return [word for word in text.split() if word not in ignore]

    return TfidfVectorizer(
        analyzer=words,
        sublinear_tf=True,
        min_df=2 if documents >= 50 else 1,
        max_df=0.9 if documents >= 20 else 1.0,
    )


def _fit_vectorizer(
    texts: list[str], ignore: frozenset[str]
) -> tuple[TfidfVectorizer, spmatrix] | None:
    for documents in (len(texts), 1):  # fall back to every lemma when few repeat
        vectorizer = _vectorizer(documents, ignore)
        try:
            return vectorizer, vectorizer.fit_transform(texts)
        except ValueError:
            continue
    return None  # no text at all


def silhouette(distances: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette of points with pairwise `distances` (0 for a single cluster)."""
    clusters = np.unique(labels)
    if len(clusters) < 2:
        return 0.0
    onehot = labels[:, None] == clusters[None, :]
    sizes = onehot.sum(axis=0)
    sums = distances @ onehot  # each point's total distance to each cluster
    own = onehot.argmax(axis=1)
    own_size = sizes[own]
    inside = np.where(
        own_size > 1, sums[np.arange(len(labels)), own] / np.maximum(own_size - 1, 1), 0
    )
    means = sums / sizes
    means[np.arange(len(labels)), own] = np.inf
    nearest = means.min(axis=1)
    scores = np.where(
        own_size > 1, (nearest - inside) / np.maximum(np.maximum(inside, nearest), 1e-12), 0
    )
    return float(scores.mean())


def _best_k(points: np.ndarray, distinct: int, rules: AnalyticsSettings) -> KMeans:
    """KMeans with the k in 3..max_categories whose silhouette is best."""
    rows = points.shape[0]
    most = max(min(rules.max_categories, distinct), 1)
    # Distances of a fixed subsample, computed once and reused for every k.
    judged = np.random.default_rng(rules.seed).permutation(rows)[:SILHOUETTE_SAMPLE]
    sub = points[judged]
    squared = (sub**2).sum(axis=1)
    distances = np.sqrt(np.maximum(squared[:, None] + squared[None, :] - 2 * sub @ sub.T, 0))
    best: tuple[float, KMeans] | None = None
    for k in range(min(MIN_CLUSTERS, most), most + 1):
        model = KMeans(n_clusters=k, n_init=2, random_state=rules.seed).fit(points)
        score = silhouette(distances, model.labels_[judged])
        if best is None or score > best[0]:
            best = (score, model)
    assert best is not None
    return best[1]


def cluster_texts(
    texts: list[str], rules: AnalyticsSettings, ignore: frozenset[str] = frozenset()
) -> list[Cluster]:
    """Cluster texts of space-separated lemmas (`ignore`d ones left out); none empty."""
    if not texts:
        return []
    rng = np.random.default_rng(rules.seed)
    sample = np.arange(len(texts))
    if len(texts) > rules.cluster_sample:
        sample = np.sort(rng.choice(len(texts), rules.cluster_sample, replace=False))
    fitted = _fit_vectorizer([texts[i] for i in sample], ignore)
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
