"""Reopening an answered incident: by an officer, or when the resident was not satisfied.

A reopened incident is open again with its own deadline: the new answer is due
`satisfaction.reopen_working_days` working days after the moment it was reopened.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from monitor.config import Settings
from monitor.errors import InputError, NotFound
from monitor.incidents.audit import record_event
from monitor.incidents.calendar import calendar_for
from monitor.incidents.lifecycle import check_transition
from monitor.store.tables import incidents

MAX_REASON_CHARS = 2000


def reopen_row(
    connection: Connection,
    settings: Settings,
    incident: Any,
    *,
    reason: str,
    actor: str,
    now: datetime,
    by: str,
    reaction_id: int | None = None,
) -> datetime:
    """Reopen a loaded incident row in the caller's transaction; the new answer deadline."""
    check_transition("reopen", incident.status, incident.id)
    due = calendar_for(settings).add_days(now, settings.satisfaction.reopen_working_days)
    connection.execute(
        update(incidents)
        .where(incidents.c.id == incident.id)
        .values(
            status="reopened",
            answered_at=None,
            closed_at=None,
            overdue=False,
            final_answer_due=due,
            updated_at=now,
        )
    )
    record_event(
        connection,
        incident_id=incident.id,
        kind="reopened",
        at=now,
        actor=actor,
        payload={
            "from": incident.status,
            "reason": reason,
            "by": by,
            "final_answer_due": due.isoformat(),
            "reaction_id": reaction_id,
        },
    )
    return due


def reopen(
    engine: Engine,
    settings: Settings,
    incident_id: int,
    *,
    reason: str | None,
    actor: str,
    now: datetime,
    scope_recipient_id: int | None = None,
) -> datetime:
    """An officer reopens an answered, closed or rejected incident; the new deadline."""
    reason = (reason or "").strip()
    if not reason:
        raise InputError("Укажите причину, по которой инцидент переоткрывается")
    if len(reason) > MAX_REASON_CHARS:
        raise InputError(f"Причина длиннее {MAX_REASON_CHARS} символов")
    with engine.begin() as connection:
        query = select(incidents).where(incidents.c.id == incident_id)
        if scope_recipient_id is not None:
            query = query.where(incidents.c.recipient_id == scope_recipient_id)
        incident = connection.execute(query.with_for_update()).first()
        if incident is None:
            raise NotFound(f"Инцидент {incident_id} не найден")
        return reopen_row(
            connection, settings, incident, reason=reason, actor=actor, now=now, by="officer"
        )
