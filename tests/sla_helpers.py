"""Helpers for the deadline and notification tests: settings variants and stored incidents."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import Engine, insert, select

from monitor.config import Settings
from monitor.context import Context
from monitor.incidents import sla
from monitor.incidents.audit import record_event
from monitor.incidents.lifecycle import RISK_RANK
from monitor.incidents.routing import recipient_id, sync_recipients
from monitor.store.tables import events, incidents, notifications

CONFIG = Path(__file__).resolve().parent.parent / "config.yaml"
MSK = ZoneInfo("Europe/Moscow")
_BASE = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))

ADDRESSES = {
    "mindor": ("mindor@example.ru", "1001"),
    "curator-infra": ("curator-infra@example.ru", "1002"),
    "centre": ("centre@example.ru", "1003"),
    "minzhkh": ("minzhkh@example.ru", "1004"),
}


def msk(text: str) -> datetime:
    """A Moscow wall-clock moment, e.g. msk('2025-10-31 16:00')."""
    return datetime.fromisoformat(text).replace(tzinfo=MSK)


def utc(text: str) -> datetime:
    """A UTC moment."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def make_settings(db_url: str, **changes: Any) -> Settings:
    """The shipped config with addresses for a few recipients and sections replaced."""
    return Settings.model_validate(settings_data(db_url, **changes))


def config_file(folder: Path, db_url: str, **changes: Any) -> Path:
    """The same settings written as a config file, for CLI tests."""
    path = folder / "config.yaml"
    text = yaml.safe_dump(settings_data(db_url, **changes), allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


def settings_data(
    db_url: str, *, email: dict | None = None, telegram: dict | None = None, **sections: Any
) -> dict:
    """The shipped config as a dict, changed as `make_settings` describes."""
    data = copy.deepcopy(_BASE)
    for recipient in data["recipients"]:
        if recipient["code"] in ADDRESSES:
            recipient["email"], recipient["telegram_chat_id"] = ADDRESSES[recipient["code"]]
    data["database"] = {"url": db_url}
    if email is not None:
        data["notify"]["email"] = email
    if telegram is not None:
        data["notify"]["telegram"] = telegram
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return data


def make_context(settings: Settings) -> Context:
    """A context on the settings' database."""
    return Context(settings=settings)


def add_incident(
    engine: Engine,
    settings: Settings,
    *,
    registered_at: datetime,
    risk: str = "high",
    sector: str = "roads",
    recipient: str = "mindor",
    status: str = "assigned",
    title: str = "Яма на дороге",
) -> int:
    """Store one routed incident with deadlines from the SLA, as the pipeline would."""
    first, final = sla.initial_deadlines(
        settings, risk=risk, sector=sector, recipient_code=recipient, registered_at=registered_at
    )
    with engine.begin() as connection:
        sync_recipients(connection, settings)
        incident_id = connection.execute(
            insert(incidents).values(
                title=title,
                sector=sector,
                risk=risk,
                risk_rank=RISK_RANK[risk],
                territory="Белгород",
                status=status,
                recipient_id=recipient_id(connection, recipient),
                created_at=registered_at,
                updated_at=registered_at,
                last_post_at=registered_at,
                first_response_due=first,
                final_answer_due=final,
            )
        ).inserted_primary_key[0]
        record_event(connection, incident_id=incident_id, kind="created", at=registered_at)
    return incident_id


def incident(engine: Engine, incident_id: int):
    """The stored row of an incident."""
    with engine.connect() as connection:
        return connection.execute(select(incidents).where(incidents.c.id == incident_id)).one()


def event_kinds(engine: Engine, incident_id: int | None = None) -> list[str]:
    """Kinds of the stored events (of one incident), oldest first."""
    query = select(events.c.kind).order_by(events.c.id)
    if incident_id is not None:
        query = query.where(events.c.incident_id == incident_id)
    with engine.connect() as connection:
        return list(connection.execute(query).scalars())


def stored_notifications(engine: Engine, **where: Any) -> list:
    """Stored notifications, optionally filtered by column values, oldest first."""
    query = select(notifications).order_by(notifications.c.id)
    for name, value in where.items():
        query = query.where(notifications.c[name] == value)
    with engine.connect() as connection:
        return connection.execute(query).all()


def snapshot(engine: Engine) -> tuple:
    """Everything a tick may change, to compare two runs."""
    with engine.connect() as connection:
        return (
            [tuple(row) for row in connection.execute(select(incidents).order_by(incidents.c.id))],
            [tuple(row) for row in connection.execute(select(events).order_by(events.c.id))],
            [
                tuple(row)
                for row in connection.execute(select(notifications).order_by(notifications.c.id))
            ],
        )
