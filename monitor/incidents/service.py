"""Officer and recipient actions on an incident: each checked, one transaction, audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from monitor.config import Settings
from monitor.errors import InputError, NotFound
from monitor.incidents import pausing, sla
from monitor.incidents.audit import record_event
from monitor.incidents.lifecycle import RISK_RANK, check_transition
from monitor.incidents.routing import recipient_id, route
from monitor.incidents.territory import require_territory
from monitor.storable import is_row_id
from monitor.store.tables import incident_posts, incidents, labels, recipients

MAX_ANSWER_CHARS = 20_000


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


def _set(connection: Connection, incident_id: int, now: datetime, **values: Any) -> None:
    connection.execute(
        update(incidents).where(incidents.c.id == incident_id).values(updated_at=now, **values)
    )


def assign(
    engine: Engine,
    incident_id: int,
    recipient_code: str,
    *,
    actor: str,
    now: datetime,
    scope_recipient_id: int | None = None,
) -> None:
    """Assign or reassign an incident to a recipient."""
    with engine.begin() as connection:
        incident = _load(connection, incident_id, scope_recipient_id)
        check_transition("assign", incident.status, incident_id)
        new_id = recipient_id(connection, recipient_code)
        old_code = connection.execute(
            select(recipients.c.code).where(recipients.c.id == incident.recipient_id)
        ).scalar()
        status = "assigned" if incident.status in ("new", "assigned") else incident.status
        _set(connection, incident_id, now, recipient_id=new_id, status=status)
        record_event(
            connection,
            incident_id=incident_id,
            kind="assigned",
            at=now,
            actor=actor,
            payload={"from": old_code, "to": recipient_code},
        )


def answer(
    engine: Engine,
    incident_id: int,
    text: str,
    *,
    interim: bool,
    actor: str,
    now: datetime,
    settings: Settings,
    scope_recipient_id: int | None = None,
) -> None:
    """Record an interim (first) or a final answer to the resident (ends a pause)."""
    text = text.strip()
    if not text:
        raise InputError("Текст ответа пуст")
    if len(text) > MAX_ANSWER_CHARS:
        raise InputError(f"Ответ длиннее {MAX_ANSWER_CHARS} символов")
    with engine.begin() as connection:
        incident = _load(connection, incident_id, scope_recipient_id)
        check_transition(
            "interim_answer" if interim else "final_answer", incident.status, incident_id
        )
        values: dict[str, Any] = {}
        if incident.status == "waiting" or incident.paused_at is not None:
            values.update(pausing.end_pause(connection, settings, incident, now))
        if incident.first_response_at is None:
            values["first_response_at"] = now
        on_time = _on_time(incident, now, interim)
        if interim:
            values["status"] = "in_progress"
        else:
            values.update(status="answered", answered_at=now)
        _set(connection, incident_id, now, **values)
        record_event(
            connection,
            incident_id=incident_id,
            kind="interim_answer" if interim else "answer",
            at=now,
            actor=actor,
            payload={"text": text, "on_time": on_time},
        )


def _on_time(incident, now: datetime, interim: bool) -> bool:
    due = incident.first_response_due if interim else incident.final_answer_due
    return due is None or now <= due


def close(engine: Engine, incident_id: int, *, actor: str, now: datetime) -> None:
    """Close an incident (normally after the final answer)."""
    _simple(
        engine, incident_id, "close", "closed", actor=actor, now=now, status="closed", closed_at=now
    )


def reject(
    engine: Engine, incident_id: int, *, actor: str, now: datetime, reason: str | None = None
) -> None:
    """Reject an incident as not relevant; its posts become negative labels."""
    with engine.begin() as connection:
        incident = _load(connection, incident_id, None)
        check_transition("reject", incident.status, incident_id)
        _set(connection, incident_id, now, status="rejected", closed_at=now)
        _label_posts(connection, incident_id, actor, now, relevant=False)
        record_event(
            connection,
            incident_id=incident_id,
            kind="rejected",
            at=now,
            actor=actor,
            payload={"reason": reason},
        )


def _simple(
    engine: Engine,
    incident_id: int,
    action: str,
    event: str,
    *,
    actor: str,
    now: datetime,
    **values: Any,
) -> None:
    with engine.begin() as connection:
        incident = _load(connection, incident_id, None)
        check_transition(action, incident.status, incident_id)
        _set(connection, incident_id, now, **values)
        record_event(
            connection,
            incident_id=incident_id,
            kind=event,
            at=now,
            actor=actor,
            payload={"from": incident.status},
        )


def reclassify(
    engine: Engine,
    settings: Settings,
    incident_id: int,
    *,
    actor: str,
    now: datetime,
    sector: str | None = None,
    risk: str | None = None,
    territory: str | None = None,
) -> dict[str, Any]:
    """Correct sector, risk or territory; labels for retraining, deadlines recomputed."""
    known_sectors = {s.code for s in settings.sectors}
    if sector and known_sectors and sector not in known_sectors:
        raise InputError(f"Неизвестный сектор: {sector}")
    if risk and risk not in RISK_RANK:
        raise InputError(f"Неизвестный уровень риска: {risk}")
    if not (sector or risk or territory):
        raise InputError("Укажите --sector, --risk или --territory")
    if territory:
        territory = require_territory(settings, territory)
    with engine.begin() as connection:
        incident = _load(connection, incident_id, None)
        check_transition("reclassify", incident.status, incident_id)
        changes = {
            key: {"from": incident._mapping[key], "to": value}
            for key, value in (("sector", sector), ("risk", risk), ("territory", territory))
            if value and value != incident._mapping[key]
        }
        values: dict[str, Any] = {key: change["to"] for key, change in changes.items()}
        if "risk" in values:
            values["risk_rank"] = RISK_RANK[values["risk"]]
            deadlines = sla.recomputed_deadlines(
                connection,
                settings,
                incident,
                now=now,
                risk=values["risk"],
                sector=values.get("sector"),
            )
            values.update(deadlines)
            first_due, final_due = deadlines["first_response_due"], deadlines["final_answer_due"]
            changes["deadlines"] = {
                "first_response_due": first_due.isoformat(),
                "final_answer_due": final_due.isoformat(),
            }
        if ("sector" in values or "territory" in values) and incident.status in ("new", "assigned"):
            code = route(
                settings,
                values.get("sector", incident.sector),
                values.get("territory", incident.territory),
            )
            values["recipient_id"] = recipient_id(connection, code)
            changes["recipient"] = {"to": code}
        if values:
            _set(connection, incident_id, now, **values)
        _label_posts(
            connection,
            incident_id,
            actor,
            now,
            relevant=True,
            sector=values.get("sector", incident.sector),
            risk=values.get("risk", incident.risk),
            territory=values.get("territory", incident.territory),
        )
        record_event(
            connection,
            incident_id=incident_id,
            kind="reclassified",
            at=now,
            actor=actor,
            payload=changes,
        )
        return changes


def _label_posts(
    connection: Connection, incident_id: int, actor: str, now: datetime, **label: Any
) -> None:
    post_ids = (
        connection.execute(
            select(incident_posts.c.post_id).where(incident_posts.c.incident_id == incident_id)
        )
        .scalars()
        .all()
    )
    if post_ids:
        connection.execute(
            insert(labels),
            [
                {"post_id": post_id, "incident_id": incident_id, "actor": actor, "at": now, **label}
                for post_id in post_ids
            ],
        )
