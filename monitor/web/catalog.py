"""Reading posts, recipients and sources for the pages and the API, in a user's scope."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from monitor.collectors.health import STATUS_NAMES as SOURCE_STATUS_NAMES
from monitor.collectors.registry import health
from monitor.config import Settings
from monitor.errors import NotFound
from monitor.incidents.lifecycle import OPEN_STATUSES
from monitor.incidents.ontime import on_time_share, open_overdue
from monitor.store.tables import (
    classifications,
    incident_posts,
    incidents,
    posts,
    recipients,
    sources,
    users,
)
from monitor.streams import stream_of

SOURCE_STATUSES = {
    **SOURCE_STATUS_NAMES,
    "disabled": "выключен",
    "unconfigured": "нет в настройках",
    "imported": "загружен из файла",
}


def _post_query(scope: int | None):
    latest = (
        select(classifications.c.post_id, func.max(classifications.c.id).label("cid"))
        .group_by(classifications.c.post_id)
        .subquery()
    )
    query = (
        select(
            posts,
            sources.c.name.label("source_name"),
            incident_posts.c.incident_id,
            incident_posts.c.role,
            classifications.c.model_version,
            classifications.c.relevant,
            classifications.c.relevance_proba,
            classifications.c.sector.label("model_sector"),
            classifications.c.sector_top,
            classifications.c.risk_text.label("model_risk_text"),
            classifications.c.risk.label("model_risk"),
            classifications.c.entities,
            classifications.c.territory.label("model_territory"),
        )
        .join(sources, sources.c.id == posts.c.source_id)
        .outerjoin(incident_posts, incident_posts.c.post_id == posts.c.id)
        .outerjoin(latest, latest.c.post_id == posts.c.id)
        .outerjoin(classifications, classifications.c.id == latest.c.cid)
    )
    if scope is not None:
        # A recipient sees only the posts of its own incidents.
        query = query.join(incidents, incidents.c.id == incident_posts.c.incident_id).where(
            incidents.c.recipient_id == scope
        )
    return query


def _post_dict(row) -> dict[str, Any]:
    return {key: value for key, value in row._mapping.items() if key != "raw"}


def read_post(connection: Connection, post_id: int, *, scope: int | None) -> dict[str, Any]:
    """One post with its latest classification; NotFound outside the scope."""
    row = connection.execute(_post_query(scope).where(posts.c.id == post_id)).first()
    if row is None:
        raise NotFound(f"Публикация {post_id} не найдена")
    return _post_dict(row)


def list_posts(
    connection: Connection,
    *,
    scope: int | None,
    incident_id: int | None = None,
    source: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Posts, newest first, optionally of one incident or one source."""
    query = _post_query(scope)
    if incident_id is not None:
        query = query.where(incident_posts.c.incident_id == incident_id)
    if source:
        query = query.where(sources.c.name == source)
    query = query.order_by(posts.c.published_at.desc(), posts.c.id.desc())
    return [_post_dict(row) for row in connection.execute(query.limit(limit).offset(offset))]


def list_recipients(
    connection: Connection, now: datetime, *, scope: int | None
) -> list[dict[str, Any]]:
    """Recipients with their open and overdue incidents, on-time share and users."""
    query = select(recipients).order_by(recipients.c.name)
    if scope is not None:
        query = query.where(recipients.c.id == scope)
    rows = connection.execute(query).all()
    open_counts: dict[int | None, int] = dict(
        connection.execute(
            select(incidents.c.recipient_id, func.count())
            .where(incidents.c.status.in_(OPEN_STATUSES))
            .group_by(incidents.c.recipient_id)
        ).all()
    )
    overdue_counts: dict[int | None, int] = dict(
        connection.execute(
            select(incidents.c.recipient_id, func.count())
            .where(open_overdue(now))
            .group_by(incidents.c.recipient_id)
        ).all()
    )
    user_counts: dict[int | None, int] = dict(
        connection.execute(
            select(users.c.recipient_id, func.count()).group_by(users.c.recipient_id)
        ).all()
    )
    shares = on_time_share(connection, now=now, by=incidents.c.recipient_id)
    listing = []
    for row in rows:
        share = shares.get(row.id)
        listing.append(
            {
                **row._mapping,
                "open_incidents": open_counts.get(row.id, 0),
                "overdue": overdue_counts.get(row.id, 0),
                "on_time_share": share.share if share else None,
                "users": user_counts.get(row.id, 0),
            }
        )
    return listing


def list_sources(connection: Connection, settings: Settings) -> list[dict[str, Any]]:
    """Configured sources with their health, then sources known only from stored posts."""
    listing = [{**row, "configured": True} for row in health(connection, settings)]
    configured = {row["name"] for row in listing}
    counts: dict[int, int] = dict(
        connection.execute(
            select(posts.c.source_id, func.count()).group_by(posts.c.source_id)
        ).all()
    )
    for stored in connection.execute(select(sources).order_by(sources.c.name)):
        if stored.name in configured:
            continue
        fields = {key: stored._mapping[key] for key in _SOURCE_FIELDS}
        fields["stream"] = stream_of(settings, stored.name, stored.kind, stored.stream)
        # Posts brought by `otklik ingest` (the demo's sample too) name their file.
        imported = Path(fields["address"] or "").suffix.lower() in (".jsonl", ".json")
        if imported:
            fields["address"] = f"файл {Path(fields['address']).name}"
        listing.append(
            {
                **fields,
                "status": "imported" if imported else "unconfigured",
                "posts": counts.get(stored.id, 0),
                "configured": False,
            }
        )
    for entry in listing:
        entry["status_name"] = SOURCE_STATUSES.get(entry["status"], entry["status"])
    return listing


_SOURCE_FIELDS = (
    "name",
    "kind",
    "address",
    "territory",
    "enabled",
    "poll_interval_s",
    "last_success_at",
    "last_error_at",
    "last_error",
    "consecutive_failures",
    "next_poll_at",
    "parked_until",
)


def source_names(connection: Connection) -> list[str]:
    """Names of every stored source, for the queue's source filter."""
    return list(connection.execute(select(sources.c.name).order_by(sources.c.name)).scalars())
