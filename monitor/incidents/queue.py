"""Reading the incident queue: filters, urgency order, one incident in full."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, or_, select

from monitor.errors import InputError, NotFound
from monitor.incidents.audit import incident_history
from monitor.incidents.lifecycle import OPEN_STATUSES, RISK_RANK, STATUSES
from monitor.incidents.ontime import open_overdue
from monitor.store.tables import (
    classifications,
    incident_posts,
    incidents,
    posts,
    recipients,
    sources,
)


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
        if self.limit < 1 or self.offset < 0:
            raise InputError("limit должен быть положительным, offset — неотрицательным")


def overdue_condition(now: datetime):
    """SQL condition: open and past a deadline not met as of `now` (shared with on-time)."""
    return open_overdue(now)


def _filtered(query, flt: QueueFilter, now: datetime):
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
        # The set of the source's incidents is built once, then the urgency walk only
        # checks membership: a rare source no longer costs three lookups per incident.
        query = query.where(
            incidents.c.id.in_(
                select(incident_posts.c.incident_id)
                .join(posts, posts.c.id == incident_posts.c.post_id)
                .join(sources, sources.c.id == posts.c.source_id)
                .where(or_(sources.c.name == flt.source, sources.c.kind == flt.source))
            )
        )
    if flt.search:
        query = query.where(incidents.c.title.ilike(f"%{flt.search}%"))
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
        _filtered(query, flt, now)
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
    return connection.execute(_filtered(query, flt, now)).scalar_one()


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
    return {tuple(row[:-1]): row[-1] for row in connection.execute(_filtered(query, flt, now))}


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
    incident["history"] = incident_history(connection, incident_id)
    return incident
