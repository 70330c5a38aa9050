"""The append-only audit log of incidents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from monitor.store.tables import events

SYSTEM = "system"


def event_row(
    *,
    incident_id: int | None,
    kind: str,
    at: datetime,
    actor: str = SYSTEM,
    payload: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One event as a row of `events`, to be appended by `record_events`."""
    return {
        "incident_id": incident_id,
        "kind": kind,
        "at": at,
        "actor": actor,
        "payload": payload or {},
    }


def record_event(
    connection: Connection,
    *,
    incident_id: int | None,
    kind: str,
    at: datetime,
    actor: str = SYSTEM,
    payload: dict[str, Any] | None = None,
) -> None:
    """Append one event, in the caller's transaction."""
    row = event_row(incident_id=incident_id, kind=kind, at=at, actor=actor, payload=payload)
    connection.execute(insert(events).values(**row))


def record_events(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Append many events (rows of `event_row`) in one statement, in the caller's transaction."""
    if rows:
        connection.execute(insert(events), rows)


def incident_history(connection: Connection, incident_id: int) -> list[dict[str, Any]]:
    """An incident's events, oldest first."""
    rows = connection.execute(
        select(events).where(events.c.incident_id == incident_id).order_by(events.c.at, events.c.id)
    )
    return [dict(row._mapping) for row in rows]
