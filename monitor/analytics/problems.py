"""Problems of a sector: its incidents clustered by their texts into named categories.

Each incident's text is its lemma signature (content lemmas of its posts, see
`monitor.incidents.similarity.signature`). Per sector: TF-IDF over those lemmas, KMeans
with a fixed seed for k = 3..`max_categories`, the k with the best cosine silhouette.
A category is named by the top terms of its centre and shown with the incident nearest to
it. The sector «Прочее» (`other`) is broken down the same way, so the centre can see
which problems fall outside the taxonomy.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import silhouette_score
from sqlalchemy import Connection, func, select

from monitor.analytics.labels import sector_names
from monitor.analytics.period import Period
from monitor.analytics.sql import incident_filter
from monitor.config import AnalyticsSettings, Settings
from monitor.incidents.similarity import signature
from monitor.store.tables import incidents

MIN_CATEGORIES = 3
NAME_TERMS = 3
LISTED_INCIDENTS = 20
# Words of any complaint: they would split categories by tone instead of by problem.
FILLER = frozenset(
    """помочь помогать помощь срочно пожалуйста спасибо сколько куда смотреть можно нужно
    надо опять снова уже всё весь сделать делать решить решать вопрос проблема ответ
    отвечать обращаться обращение писать написать жалоба просить прошу уважаемый добрый
    здравствуйте никто ничто ничего терпеть невозможно""".split()
)
METHOD = "TF-IDF по леммам + KMeans (число категорий — по силуэту, фиксированное зерно)"


@dataclass(frozen=True, slots=True)
class ProblemCategory:
    """One problem of a sector: its name (top terms), size and an example incident."""

    name: str
    terms: list[str]
    count: int
    share: float
    example_id: int
    example_title: str
    incident_ids: list[int]


@dataclass
class SectorProblems:
    """The categories of one sector's incidents in a period, largest first."""

    sector: str
    sector_name: str
    incidents: int
    categories: list[ProblemCategory] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The sector's problems for JSON output."""
        return {
            "sector": self.sector,
            "sector_name": self.sector_name,
            "incidents": self.incidents,
            "method": METHOD,
            "categories": [asdict(c) for c in self.categories],
        }


def _documents(
    connection: Connection, period: Period, sector: str, recipient_id: int | None
) -> tuple[list[int], list[str], list[str]]:
    c = incidents.c
    rows = connection.execute(
        select(c.id, c.title, c.signature)
        .where(*incident_filter(period, recipient_id=recipient_id, sector=sector))
        .order_by(c.id)
    ).all()
    ids = [row.id for row in rows]
    titles = [row.title for row in rows]
    texts = [
        " ".join(
            word
            for word in (row.signature or " ".join(signature(row.title))).split()
            if word not in FILLER
        )
        for row in rows
    ]
    return ids, titles, texts


def _vectorizer(documents: int) -> TfidfVectorizer:
    return TfidfVectorizer(
        token_pattern=r"\S+",
        lowercase=False,
        sublinear_tf=True,
        min_df=2 if documents >= 50 else 1,
        max_df=0.9 if documents >= 20 else 1.0,
    )


def _best_k(matrix, distinct: int, rules: AnalyticsSettings) -> KMeans:
    """KMeans with the k in 3..max_categories whose cosine silhouette is best."""
    rows = matrix.shape[0]
    most = max(min(rules.max_categories, distinct), 1)
    best: tuple[float, KMeans] | None = None
    for k in range(min(MIN_CATEGORIES, most), most + 1):
        model = KMeans(n_clusters=k, n_init=3, random_state=rules.seed).fit(matrix)
        score = -1.0
        if 2 <= len(set(model.labels_)) < rows:
            score = float(
                silhouette_score(
                    matrix,
                    model.labels_,
                    metric="cosine",
                    sample_size=min(rows, 1000),
                    random_state=rules.seed,
                )
            )
        if best is None or score > best[0]:
            best = (score, model)
    assert best is not None
    return best[1]


def cluster_texts(
    ids: list[int], titles: list[str], texts: list[str], rules: AnalyticsSettings
) -> list[ProblemCategory]:
    """Group texts (space-separated lemmas) into named categories, largest first."""
    if not ids:
        return []
    rng = np.random.default_rng(rules.seed)
    sample = np.arange(len(ids))
    if len(ids) > rules.cluster_sample:
        sample = np.sort(rng.choice(len(ids), rules.cluster_sample, replace=False))
    vectorizer = _vectorizer(len(sample))
    try:
        fitted = vectorizer.fit_transform([texts[i] for i in sample])
    except ValueError:  # no lemma occurs often enough: keep every lemma
        vectorizer = _vectorizer(1)
        try:
            fitted = vectorizer.fit_transform([texts[i] for i in sample])
        except ValueError:  # no text at all
            return [_category([], list(range(len(ids))), ids, titles, 0, len(ids))]
    distinct = len({texts[i] for i in sample})
    model = _best_k(fitted, distinct, rules)
    matrix = vectorizer.transform(texts)
    labels = model.predict(matrix)
    terms = vectorizer.get_feature_names_out()
    categories = []
    for label in range(model.n_clusters):
        members = np.flatnonzero(labels == label)
        if not len(members):
            continue
        centre = model.cluster_centers_[label]
        top = [str(terms[i]) for i in np.argsort(-centre)[:NAME_TERMS] if centre[i] > 0]
        closeness = matrix[members] @ centre
        nearest = int(members[int(np.argmax(closeness))])
        categories.append(_category(top, members.tolist(), ids, titles, nearest, len(ids)))
    categories.sort(key=lambda c: (-c.count, c.name))
    return categories


def _category(
    top: list[str], members: list[int], ids: list[int], titles: list[str], nearest: int, total: int
) -> ProblemCategory:
    return ProblemCategory(
        name=" · ".join(top) if top else "без ключевых слов",
        terms=top,
        count=len(members),
        share=len(members) / total,
        example_id=ids[nearest],
        example_title=titles[nearest],
        incident_ids=[ids[i] for i in members[:LISTED_INCIDENTS]],
    )


def sector_problems(
    connection: Connection,
    settings: Settings,
    period: Period,
    sector: str,
    *,
    recipient_id: int | None = None,
) -> SectorProblems:
    """The problem categories of one sector's incidents registered in the period."""
    ids, titles, texts = _documents(connection, period, sector, recipient_id)
    name = sector_names(settings).get(sector, sector)
    categories = cluster_texts(ids, titles, texts, settings.analytics)
    return SectorProblems(sector, name, len(ids), categories)


def problems(
    connection: Connection,
    settings: Settings,
    period: Period,
    *,
    sectors: list[str] | None = None,
    recipient_id: int | None = None,
) -> list[SectorProblems]:
    """Problem categories of every sector with incidents in the period (or of `sectors`)."""
    c = incidents.c
    counts = dict(
        connection.execute(
            select(c.sector, func.count())
            .where(*incident_filter(period, recipient_id=recipient_id))
            .group_by(c.sector)
        ).all()
    )
    wanted = sectors if sectors is not None else sorted(counts, key=lambda s: (-counts[s], s))
    return [
        sector_problems(connection, settings, period, sector, recipient_id=recipient_id)
        for sector in wanted
        if counts.get(sector)
    ]
