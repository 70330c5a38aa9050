"""The heat map: incidents by sector × territory, against the previous period of equal length."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from monitor.analytics.labels import NO_TERRITORY, recipient_names, sector_names, territory_name
from monitor.analytics.period import Period
from monitor.analytics.sql import incident_filter
from monitor.config import Settings
from monitor.store.tables import incidents


@dataclass(frozen=True, slots=True)
class HeatCell:
    """One sector × territory cell: incidents now and in the previous period."""

    sector: str
    sector_name: str
    territory: str | None
    count: int
    previous: int

    @property
    def change(self) -> int:
        """Difference against the previous period."""
        return self.count - self.previous

    @property
    def change_share(self) -> float | None:
        """Relative change (0.5 = +50 %), None when the previous period had none."""
        return self.change / self.previous if self.previous else None


@dataclass
class HeatMap:
    """All non-empty cells of a period, with row, column and grand totals."""

    period: Period
    previous_period: Period
    cells: list[HeatCell]
    sectors: list[str] = field(default_factory=list)
    territories: list[str | None] = field(default_factory=list)

    def cell(self, sector: str, territory: str | None) -> HeatCell | None:
        """The cell of a sector and a territory, if it has incidents."""
        return self._index.get((sector, territory))

    def __post_init__(self) -> None:
        self._index = {(c.sector, c.territory): c for c in self.cells}

    @property
    def total(self) -> int:
        """Incidents in the period."""
        return sum(c.count for c in self.cells)

    @property
    def previous_total(self) -> int:
        """Incidents in the previous period."""
        return sum(c.previous for c in self.cells)

    def sector_total(self, sector: str) -> tuple[int, int]:
        """(now, previous) incidents of one sector."""
        cells = [c for c in self.cells if c.sector == sector]
        return sum(c.count for c in cells), sum(c.previous for c in cells)

    def territory_total(self, territory: str | None) -> tuple[int, int]:
        """(now, previous) incidents of one territory."""
        cells = [c for c in self.cells if c.territory == territory]
        return sum(c.count for c in cells), sum(c.previous for c in cells)

    def as_dict(self) -> dict[str, Any]:
        """The heat map for JSON output."""
        return {
            "period": self.period.as_dict(),
            "previous_period": self.previous_period.as_dict(),
            "total": self.total,
            "previous_total": self.previous_total,
            "cells": [
                {**asdict(c), "change": c.change, "change_share": c.change_share}
                for c in self.cells
            ],
        }


def _counts(
    connection: Connection, period: Period, recipient_id: int | None
) -> dict[tuple[str, str | None], int]:
    c = incidents.c
    rows = connection.execute(
        select(c.sector, c.territory, func.count().label("n"))
        .where(*incident_filter(period, recipient_id=recipient_id))
        .group_by(c.sector, c.territory)
    )
    return {(row.sector, row.territory): row.n for row in rows}


def heat_map(
    connection: Connection,
    settings: Settings,
    period: Period,
    *,
    recipient_id: int | None = None,
) -> HeatMap:
    """Incidents registered in the period by sector × territory, with the previous period.

    Rows and columns are ordered by their totals in the period, largest first; cells that
    are empty in both periods are left out. `recipient_id` confines it to one recipient.
    """
    previous = period.previous()
    now = _counts(connection, period, recipient_id)
    before = _counts(connection, previous, recipient_id)
    names = sector_names(settings)
    keys = sorted(set(now) | set(before), key=lambda key: (key[0], key[1] or ""))
    cells = []
    for sector, territory in keys:
        key = (sector, territory)
        name = names.get(sector, sector)
        cells.append(HeatCell(sector, name, territory, now.get(key, 0), before.get(key, 0)))
    by_sector: dict[str, int] = {}
    by_territory: dict[str | None, int] = {}
    for cell in cells:
        by_sector[cell.sector] = by_sector.get(cell.sector, 0) + cell.count
        by_territory[cell.territory] = by_territory.get(cell.territory, 0) + cell.count
    return HeatMap(
        period=period,
        previous_period=previous,
        cells=cells,
        sectors=sorted(by_sector, key=lambda s: (-by_sector[s], s)),
        territories=sorted(by_territory, key=lambda t: (-by_territory[t], t or "")),
    )


@dataclass(frozen=True, slots=True)
class CellIncident:
    """One incident behind a heat-map cell."""

    id: int
    title: str
    status: str
    risk: str
    created_at: datetime
    recipient_code: str | None
    recipient_name: str | None
    posts_count: int


def cell_incidents(
    connection: Connection,
    period: Period,
    *,
    sector: str,
    territory: str | None,
    recipient_id: int | None = None,
    limit: int = 500,
) -> list[CellIncident]:
    """The incidents of one cell (drill-down), newest first.

    `territory` None or «не определена» means incidents without a territory.
    """
    c = incidents.c
    conditions = incident_filter(period, recipient_id=recipient_id, sector=sector)
    if territory is None or territory == NO_TERRITORY:
        conditions.append(c.territory.is_(None))
    else:
        conditions.append(c.territory == territory)
    rows = connection.execute(
        select(c.id, c.title, c.status, c.risk, c.created_at, c.recipient_id, c.posts_count)
        .where(*conditions)
        .order_by(c.created_at.desc(), c.id.desc())
        .limit(limit)
    ).all()
    names = recipient_names(connection) if rows else {}
    return [
        CellIncident(
            id=row.id,
            title=row.title,
            status=row.status,
            risk=row.risk,
            created_at=row.created_at,
            recipient_code=names.get(row.recipient_id, (None, None))[0],
            recipient_name=names.get(row.recipient_id, (None, None))[1],
            posts_count=row.posts_count,
        )
        for row in rows
    ]


REST = "остальные"


@dataclass
class HeatTable:
    """The heat map as a table: sectors × the largest territories (the rest summed)."""

    sectors: list[tuple[str, str]]  # (code, name)
    territories: list[str]
    counts: list[list[int]]
    previous: list[list[int]]


def heat_table(heat: HeatMap, territories: int) -> HeatTable:
    """Sectors by total × the `territories` largest territories and a column for the rest."""
    shown = heat.territories[:territories]
    rest = len(heat.territories) > territories
    names = [territory_name(t) for t in shown] + ([REST] if rest else [])
    sector_rows, counts, previous = [], [], []
    for sector in heat.sectors:
        row, row_before = [0] * len(names), [0] * len(names)
        for cell in heat.cells:
            if cell.sector != sector:
                continue
            column = shown.index(cell.territory) if cell.territory in shown else len(names) - 1
            row[column] += cell.count
            row_before[column] += cell.previous
            sector_name = cell.sector_name
        sector_rows.append((sector, sector_name))
        counts.append(row)
        previous.append(row_before)
    return HeatTable(sector_rows, names, counts, previous)
