"""Problems of a sector: its incidents clustered by their texts into named categories.

Each incident's text is its lemma signature (content lemmas of its posts, see
`monitor.incidents.similarity.signature`) without the words every complaint shares. Per
sector the texts are clustered (`clustering`: TF-IDF, LSA, KMeans with a fixed seed for
k = 3..`max_categories`, the k with the best silhouette). A category is named by its top
terms and shown with its most typical incident. The sector «Прочее» (`other`) is broken
down the same way, so the centre can see which problems fall outside the taxonomy.

Incidents whose posts the classifier gave a problem category (learned from the city
portal's reasons) are counted under it first; only the rest, category «прочее» or none,
is clustered (named «прочее: top terms»).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Connection, case, literal, select

from monitor.analytics.clustering import cluster_texts
from monitor.analytics.labels import sector_names
from monitor.analytics.period import Period
from monitor.analytics.sql import incident_filter
from monitor.config import Settings
from monitor.incidents.categories import incident_categories
from monitor.incidents.similarity import signature
from monitor.store.tables import incidents

LISTED_INCIDENTS = 20
OTHER_CATEGORY = "прочее"  # classifier.categories.OTHER: the rest, broken down by clustering
# Words of any complaint: they would split categories by tone instead of by problem.
FILLER = frozenset(
    """помочь помогать помощь срочно пожалуйста спасибо сколько куда смотреть можно нужно
    надо опять снова уже всё весь сделать делать решить решать вопрос проблема ответ
    отвечать обращаться обращение писать написать жалоба просить прошу уважаемый добрый
    здравствуйте никто ничто ничего терпеть невозможно""".split()
)
METHOD = "TF-IDF по леммам, LSA и KMeans (число категорий — по силуэту, фиксированное зерно)"


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


@dataclass
class _Documents:
    """One sector's incidents: ids and lemma texts, in registration order."""

    ids: list[int] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


def _documents(
    connection: Connection, period: Period, sectors: list[str] | None, recipient_id: int | None
) -> dict[str, _Documents]:
    """The texts of the period's incidents by sector, read in one pass."""
    c = incidents.c
    conditions = incident_filter(period, recipient_id=recipient_id)
    if sectors is not None:
        conditions.append(c.sector.in_(sectors))
    # Titles are read only where there is no signature; the examples' titles come later.
    fallback = case((c.signature == "", c.title), else_=literal(None)).label("fallback")
    rows = connection.execute(
        # Registration order is the index's order: no sort, and the same sample every run.
        select(c.id, c.sector, c.signature, fallback)
        .where(*conditions)
        .order_by(c.created_at, c.id)
    )
    found: dict[str, _Documents] = {}
    for row in rows:
        documents = found.setdefault(row.sector, _Documents())
        documents.ids.append(row.id)
        documents.texts.append(row.signature or " ".join(signature(row.fallback or "")))
    return found


def _titles(connection: Connection, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = connection.execute(
        select(incidents.c.id, incidents.c.title).where(incidents.c.id.in_(ids))
    )
    return dict(rows.all())


def _sector(
    connection: Connection, settings: Settings, sector: str, documents: _Documents
) -> SectorProblems:
    """Named categories first (the classifier's, by incident), then «прочее» clustered."""
    total = len(documents.ids)
    known = incident_categories(connection, documents.ids)
    named: dict[str, list[int]] = {}
    rest = _Documents()
    for incident_id, text in zip(documents.ids, documents.texts, strict=True):
        category = known.get(incident_id)
        if category and category != OTHER_CATEGORY:
            named.setdefault(category, []).append(incident_id)
        else:
            rest.ids.append(incident_id)
            rest.texts.append(text)
    ids, clusters = rest.ids, cluster_texts(rest.texts, settings.analytics, FILLER)
    examples = {members[0] for members in named.values()}
    titles = _titles(connection, examples | {ids[cluster.example] for cluster in clusters})
    by_category = [
        ProblemCategory(
            name=category,
            terms=[],
            count=len(members),
            share=len(members) / total,
            example_id=members[0],
            example_title=titles.get(members[0], ""),
            incident_ids=members[:LISTED_INCIDENTS],
        )
        for category, members in named.items()
    ]
    prefix = f"{OTHER_CATEGORY}: " if named else ""
    by_cluster = [
        ProblemCategory(
            name=prefix + (" · ".join(cluster.terms) if cluster.terms else "без ключевых слов"),
            terms=cluster.terms,
            count=len(cluster.members),
            share=len(cluster.members) / total,
            example_id=ids[cluster.example],
            example_title=titles.get(ids[cluster.example], ""),
            incident_ids=[ids[i] for i in cluster.members[:LISTED_INCIDENTS]],
        )
        for cluster in clusters
    ]
    by_category.sort(key=lambda c: (-c.count, c.name))
    by_cluster.sort(key=lambda c: (-c.count, c.name))
    name = sector_names(settings).get(sector, sector)
    return SectorProblems(sector, name, total, by_category + by_cluster)


def sector_problems(
    connection: Connection,
    settings: Settings,
    period: Period,
    sector: str,
    *,
    recipient_id: int | None = None,
) -> SectorProblems:
    """The problem categories of one sector's incidents registered in the period."""
    documents = _documents(connection, period, [sector], recipient_id).get(sector, _Documents())
    return _sector(connection, settings, sector, documents)


def problems_by_sector(
    connection: Connection,
    settings: Settings,
    period: Period,
    *,
    sectors: list[str] | None = None,
    recipient_id: int | None = None,
) -> list[SectorProblems]:
    """Problem categories of every sector with incidents in the period (or of `sectors`).

    Sectors come largest first unless `sectors` gives the order.
    """
    found = _documents(connection, period, sectors, recipient_id)
    order = sectors if sectors is not None else sorted(found, key=lambda s: (-len(found[s].ids), s))
    return [
        _sector(connection, settings, sector, found[sector]) for sector in order if sector in found
    ]
