"""Problems of a sector: its incidents clustered by their texts into named categories.

Each incident's text is its lemma signature (content lemmas of its posts, see
`monitor.incidents.similarity.signature`) without the words every complaint shares. Per
sector the texts are clustered (`clustering`: TF-IDF, LSA, KMeans with a fixed seed for
k = 3..`max_categories`, the k with the best silhouette). A category is named by its top
terms and shown with its most typical incident. The sector «Прочее» (`other`) is broken
down the same way, so the centre can see which problems fall outside the taxonomy.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select

from monitor.analytics.clustering import cluster_texts
from monitor.analytics.labels import sector_names
from monitor.analytics.period import Period
from monitor.analytics.sql import incident_filter
from monitor.config import AnalyticsSettings, Settings
from monitor.incidents.similarity import signature
from monitor.store.tables import incidents

LISTED_INCIDENTS = 20
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
    texts = [row.signature or " ".join(signature(row.title)) for row in rows]
    return ids, titles, texts


def categories_of(
    ids: list[int], titles: list[str], texts: list[str], rules: AnalyticsSettings
) -> list[ProblemCategory]:
    """Named categories of the given incidents' texts, largest first."""
    categories = [
        _category(c.terms, c.members, ids, titles, c.example, len(ids))
        for c in cluster_texts(texts, rules, ignore=FILLER)
    ]
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
    categories = categories_of(ids, titles, texts, settings.analytics)
    return SectorProblems(sector, name, len(ids), categories)


def problems_by_sector(
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
