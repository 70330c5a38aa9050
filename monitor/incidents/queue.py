"""Reading the incident queue: filters, urgency order, one incident in full."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, false, func, or_, select

from monitor.errors import InputError, NotFound
from monitor.incidents.audit import incident_history
from monitor.incidents.categories import most_common
from monitor.incidents.lifecycle import OPEN_STATUSES, RISK_RANK, STATUSES
from monitor.incidents.ontime import open_overdue
from monitor.storable import MAX_COUNT, is_row_id
from monitor.store.search import title_contains
from monitor.store.tables import (
    classifications,
    incident_posts,
    incident_sources,
    incidents,
    posts,
    recipients,
    sources,
)

MAX_LIMIT = 100_000


@dataclass
class QueueFilter:
    """What the officer asks the queue for; every field optional."""

    status: str | None = None
    sector: str | None = None
    risk: str | None = None
    territory: str | None = None
    recipient: str | None = None
    recipient_id: int | None = None
    source: str | None = None
    overdue: bool = False
    search: str | None = None
    limit: int = 50
    offset: int = 0

    def validate(self, sectors: set[str] | None = None) -> None:
        """Reject values that cannot match anything, with a clear message."""
        if self.status and self.status not in (*STATUSES, "open", "all"):
            raise InputError(
                f"Неизвестный статус: {self.status} (есть: open, all, " + ", ".join(STATUSES) + ")"
            )
        if self.risk and self.risk not in RISK_RANK:
            raise InputError(f"Неизвестный уровень риска: {self.risk}")
        if self.sector and sectors and self.sector not in sectors:
            raise InputError(f"Неизвестный сектор: {self.sector}")
        if not 1 <= self.limit <= MAX_LIMIT or not 0 <= self.offset <= MAX_COUNT:
            raise InputError(f"limit должен быть от 1 до {MAX_LIMIT}, offset — от 0 до {MAX_COUNT}")


def overdue_condition(now: datetime):
    """SQL condition: open and past a deadline not met as of `now` (shared with on-time)."""
    return open_overdue(now)


def _source_condition(connection: Connection, source: str) -> ColumnElement[bool]:
    """SQL condition: one of the incident's posts came from a source of this name or kind."""
    ids = (
        connection.execute(
            select(sources.c.id).where(or_(sources.c.name == source, sources.c.kind == source))
        )
        .scalars()
        .all()
    )
    if not ids:
        return false()
    linked = (
        incident_sources.c.source_id == ids[0]
        if len(ids) == 1
        else incident_sources.c.source_id.in_(ids)
    )
    members = select(incident_sources.c.incident_id).where(linked)
    if connection.dialect.name == "sqlite" and _common(connection, members):
        # Most incidents match: walk incidents (queue order or the counting index) and probe
        # incident_sources' primary key, rather than list every member first.
        return (
            select(incident_sources.c.incident_id)
            .where(incident_sources.c.incident_id == incidents.c.id)
            .where(linked)
            .exists()
        )
    # Few members (or PostgreSQL, whose planner weighs both ways): start from the members.
    return incidents.c.id.in_(members)


def _common(connection: Connection, members) -> bool:
    """Whether at least a third of the incidents are members (SQLite has no statistics)."""
    total = connection.execute(select(func.max(incidents.c.id))).scalar() or 0
    cap = total // 3 + 1
    found = connection.execute(
        select(func.count()).select_from(members.limit(cap).subquery())
    ).scalar_one()
    return found >= cap


def _filtered(connection: Connection, query, flt: QueueFilter, now: datetime):
    if flt.status == "open" or flt.status is None:
        query = query.where(incidents.c.status.in_(OPEN_STATUSES))
    elif flt.status != "all":
        query = query.where(incidents.c.status == flt.status)
    if flt.sector:
        query = query.where(incidents.c.sector == flt.sector)
    if flt.risk:
        query = query.where(incidents.c.risk == flt.risk)
    if flt.territory:
        query = query.where(incidents.c.territory == flt.territory)
    if flt.recipient:
        query = query.where(recipients.c.code == flt.recipient)
    if flt.recipient_id is not None:
        query = query.where(incidents.c.recipient_id == flt.recipient_id)
    if flt.overdue:
        query = query.where(overdue_condition(now))
    if flt.source:
        query = query.where(_source_condition(connection, flt.source))
    if flt.search:
        query = query.where(title_contains(connection, flt.search))
    return query


def _columns(now: datetime):
    return (
        incidents,
        recipients.c.code.label("recipient_code"),
        recipients.c.name.label("recipient_name"),
        overdue_condition(now).label("is_overdue"),
    )


def list_incidents(connection: Connection, flt: QueueFilter, now: datetime) -> list[dict]:
    """The queue: most urgent first (risk, then nearest deadline), then newest."""
    query = select(*_columns(now)).select_from(
        incidents.outerjoin(recipients, recipients.c.id == incidents.c.recipient_id)
    )
    query = (
        _filtered(connection, query, flt, now)
        .order_by(
            incidents.c.risk_rank.desc(),
            incidents.c.first_response_due.asc(),
            incidents.c.id.desc(),
        )
        .limit(flt.limit)
        .offset(flt.offset)
    )
    return [_incident_dict(row) for row in connection.execute(query)]


def count_incidents(connection: Connection, flt: QueueFilter, now: datetime) -> int:
    """How many incidents match the filter (for paging)."""
    query = select(func.count()).select_from(
        incidents.outerjoin(recipients, recipients.c.id == incidents.c.recipient_id)
    )
    return connection.execute(_filtered(connection, query, flt, now)).scalar_one()


def count_by(connection: Connection, flt: QueueFilter, now: datetime, *columns) -> dict[tuple, int]:
    """How many incidents match the filter, for each combination of values of the columns."""
    # The recipients join only when filtering by code: without it, counts by indexed
    # columns read the index alone.
    source = (
        incidents.outerjoin(recipients, recipients.c.id == incidents.c.recipient_id)
        if flt.recipient
        else incidents
    )
    query = select(*columns, func.count()).select_from(source).group_by(*columns)
    return {
        tuple(row[:-1]): row[-1]
        for row in connection.execute(_filtered(connection, query, flt, now))
    }


def _incident_dict(row) -> dict[str, Any]:
    data = dict(row._mapping)
    data["overdue"] = bool(data.pop("is_overdue")) or bool(data.get("overdue"))
    data.pop("signature", None)
    return data


def get_incident(
    connection: Connection, incident_id: int, now: datetime, *, recipient_id: int | None = None
) -> dict[str, Any]:
    """One incident with its posts, their classifications and its history.

    With `recipient_id`, an incident of another recipient is NotFound, as if absent.
    """
    if not is_row_id(incident_id):
        raise NotFound(f"Инцидент {incident_id} не найден")
    query = (
        select(*_columns(now))
        .select_from(incidents.outerjoin(recipients, recipients.c.id == incidents.c.recipient_id))
        .where(incidents.c.id == incident_id)
    )
    if recipient_id is not None:
        query = query.where(incidents.c.recipient_id == recipient_id)
    row = connection.execute(query).first()
    if row is None:
        raise NotFound(f"Инцидент {incident_id} не найден")
    incident = _incident_dict(row)
    latest = (
        select(classifications.c.post_id, func.max(classifications.c.id).label("cid"))
        .group_by(classifications.c.post_id)
        .subquery()
    )
    post_rows = connection.execute(
        select(
            posts,
            incident_posts.c.role,
            sources.c.name.label("source_name"),
            classifications.c.relevant,
            classifications.c.relevance_proba,
            classifications.c.sector.label("model_sector"),
            classifications.c.sector_top,
            classifications.c.risk_text.label("model_risk_text"),
            classifications.c.risk.label("model_risk"),
            classifications.c.entities,
            classifications.c.territory.label("model_territory"),
            classifications.c.model_version,
            classifications.c.category.label("model_category"),
        )
        .join(incident_posts, incident_posts.c.post_id == posts.c.id)
        .join(sources, sources.c.id == posts.c.source_id)
        .outerjoin(latest, latest.c.post_id == posts.c.id)
        .outerjoin(classifications, classifications.c.id == latest.c.cid)
        .where(incident_posts.c.incident_id == incident_id)
        .order_by(posts.c.published_at, posts.c.id)
    )
    incident["posts"] = [
        {k: v for k, v in dict(r._mapping).items() if k != "raw"} for r in post_rows
    ]
    incident["category"] = most_common(p["model_category"] for p in incident["posts"])
    incident["history"] = incident_history(connection, incident_id)
    return incident
