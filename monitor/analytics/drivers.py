"""What drives a growth: the terms, places and sources whose causes grew most."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, select

from monitor.analytics.labels import territory_name
from monitor.analytics.signals import Cause
from monitor.incidents.similarity import signature
from monitor.store.tables import classifications, sources

PLACE_KINDS = ("STREET", "LOC")
DRIVER_RATIO = 1.5
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Driver:
    """One term, place or source: causes in the period against the baseline's rate."""

    kind: str  # term, place, source
    name: str
    count: int
    expected: float

    @property
    def excess(self) -> float:
        """Causes above what the baseline rate predicts."""
        return self.count - self.expected


def top_growth(
    now: Counter[str], before: Counter[str], scale: float, kind: str, limit: int
) -> list[Driver]:
    """The names that grew most (excess over `before` × `scale`).

    A driver has at least two causes and half as many again as its baseline rate predicts,
    so that the usual noise of a large name is not listed as a cause of growth.
    """
    drivers = [
        Driver(kind, name, count, before.get(name, 0) * scale)
        for name, count in now.items()
        if count >= 2 and count > DRIVER_RATIO * before.get(name, 0) * scale
    ]
    drivers.sort(key=lambda d: (-d.excess, -d.count, d.name))
    return drivers[:limit]


def _count(causes: Iterable[Cause], names: Callable[[Cause], Iterable[str]]) -> Counter[str]:
    counter: Counter[str] = Counter()
    for cause in causes:
        counter.update(set(names(cause)))
    return counter


@dataclass
class DriverFinder:
    """Counts terms, places and sources of causes; built once per growth report."""

    connection: Connection

    def __post_init__(self) -> None:
        self._source_names = dict(
            self.connection.execute(select(sources.c.id, sources.c.name)).all()
        )
        self._places: dict[int, set[str]] = {}

    def load_places(self, causes: list[Cause]) -> None:
        """Fetch the places the classifier found in the causes' first posts."""
        wanted = sorted({c.post_id for c in causes} - set(self._places))
        for post_id in wanted:
            self._places[post_id] = set()
        for offset in range(0, len(wanted), _CHUNK):
            chunk = wanted[offset : offset + _CHUNK]
            rows = self.connection.execute(
                select(classifications.c.post_id, classifications.c.entities).where(
                    classifications.c.post_id.in_(chunk)
                )
            )
            for row in rows:
                for entity in row.entities or []:
                    if isinstance(entity, dict) and entity.get("kind") in PLACE_KINDS:
                        name = entity.get("normal") or entity.get("text")
                        if name:
                            self._places[row.post_id].add(str(name))

    def _places_of(self, cause: Cause, with_territory: bool) -> set[str]:
        found = set(self._places.get(cause.post_id, ()))
        if with_territory:
            found.add(territory_name(cause.territory))
        elif cause.territory:
            found.discard(cause.territory)
        return found

    def drivers(
        self, now: list[Cause], before: list[Cause], scale: float, *, whole_sector: bool, limit: int
    ) -> list[Driver]:
        """Top terms, places and sources of a series' causes (period vs baseline × scale).

        For a whole sector the territories are places too; for one territory they are not.
        """
        terms_now = _count(now, lambda c: signature(c.text))
        terms_before = _count(before, lambda c: signature(c.text))
        places_now = _count(now, lambda c: self._places_of(c, whole_sector))
        places_before = _count(before, lambda c: self._places_of(c, whole_sector))
        sources_now = _count(now, lambda c: [self._source_names.get(c.source_id, "?")])
        sources_before = _count(before, lambda c: [self._source_names.get(c.source_id, "?")])
        return [
            *top_growth(terms_now, terms_before, scale, "term", limit),
            *top_growth(places_now, places_before, scale, "place", limit),
            *top_growth(sources_now, sources_before, scale, "source", limit),
        ]
