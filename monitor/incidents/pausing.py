"""Pausing the deadline clock: an incident `waiting` for the author or another body."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from monitor.config import Settings
from monitor.errors import NotFound
from monitor.incidents.audit import record_event
from monitor.incidents.lifecycle import check_transition
from monitor.incidents.sla import recomputed_deadlines
from monitor.storable import is_row_id
from monitor.store.tables import incident_pauses, incidents


def _load(connection: Connection, incident_id: int, scope_recipient_id: int | None):
    if not is_row_id(incident_id):
        raise NotFound(f"Инцидент {incident_id} не найден")
    query = select(incidents).where(incidents.c.id == incident_id)
    if scope_recipient_id is not None:
        query = query.where(incidents.c.recipient_id == scope_recipient_id)
    row = connection.execute(query.with_for_update()).first()
    if row is None:
        raise NotFound(f"Инцидент {incident_id} не найден")
    return row


def pause(
    engine: Engine,
    incident_id: int,
    *,
    actor: str,
    now: datetime,
    reason: str | None = None,
    scope_recipient_id: int | None = None,
) -> None:
    """Put an incident in `waiting`: its deadline clock stops until it is resumed."""
    with engine.begin() as connection:
        incident = _load(connection, incident_id, scope_recipient_id)
        check_transition("pause", incident.status, incident_id)
        connection.execute(
            insert(incident_pauses).values(
                incident_id=incident_id,
                started_at=now,
                status_before=incident.status,
                reason=reason,
            )
        )
        connection.execute(
            update(incidents)
            .where(incidents.c.id == incident_id)
            .values(status="waiting", paused_at=now, updated_at=now)
        )
        record_event(
            connection,
            incident_id=incident_id,
            kind="paused",
            at=now,
            actor=actor,
            payload={"from": incident.status, "reason": reason},
        )


def end_pause(
    connection: Connection, settings: Settings, incident: Any, now: datetime
) -> dict[str, Any]:
    """Close the incident's open pause; returns the column values to update with it.

    The values hold the status it had before waiting, the paused time so far and the
    deadlines moved by the pause. Callers that leave `waiting` by another action (an
    answer) use it too and override `status`.
    """
    open_pause = connection.execute(
        select(incident_pauses)
        .where(incident_pauses.c.incident_id == incident.id)
        .where(incident_pauses.c.ended_at.is_(None))
        .order_by(incident_pauses.c.started_at.desc())
        .limit(1)
    ).first()
    started = incident.paused_at or (open_pause.started_at if open_pause else now)
    if open_pause is not None:
        connection.execute(
            update(incident_pauses)
            .where(incident_pauses.c.id == open_pause.id)
            .values(ended_at=max(now, open_pause.started_at))
        )
    values: dict[str, Any] = {
        "status": open_pause.status_before if open_pause else "assigned",
        "paused_at": None,
        "paused_seconds": incident.paused_seconds + max(0, int((now - started).total_seconds())),
    }
    values.update(recomputed_deadlines(connection, settings, incident, now=now))
    return values


def resume(
    engine: Engine,
    settings: Settings,
    incident_id: int,
    *,
    actor: str,
    now: datetime,
    scope_recipient_id: int | None = None,
) -> dict[str, Any]:
    """Take an incident out of `waiting`; its deadlines move by the time it waited."""
    with engine.begin() as connection:
        incident = _load(connection, incident_id, scope_recipient_id)
        check_transition("resume", incident.status, incident_id)
        values = end_pause(connection, settings, incident, now)
        connection.execute(
            update(incidents).where(incidents.c.id == incident_id).values(updated_at=now, **values)
        )
        record_event(
            connection,
            incident_id=incident_id,
            kind="resumed",
            at=now,
            actor=actor,
            payload={
                "to": values["status"],
                "paused_seconds": values["paused_seconds"],
                "first_response_due": values["first_response_due"].isoformat(),
                "final_answer_due": values["final_answer_due"].isoformat(),
            },
        )
        return values
