"""Routing: which recipient answers an incident of a sector in a territory."""

from __future__ import annotations

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from monitor.config import Settings
from monitor.errors import NotFound
from monitor.store.tables import recipients


def _territory_keys(settings: Settings, territory: str | None) -> set[str]:
    if not territory:
        return set()
    keys = {territory}
    for place in settings.territories:
        if place.name == territory and place.district:
            keys.add(place.district)
    return keys


def route(settings: Settings, sector: str, territory: str | None) -> str:
    """The recipient code for (sector, territory): most specific rule first, else the centre.

    A place outside the configured territories (or none at all) is not routed: it lands
    with the centre's officers, who decide.
    """
    known = {place.name for place in settings.territories}
    if territory not in known:
        return settings.routing.fallback
    keys = _territory_keys(settings, territory)
    rules = settings.routing.rules
    for rule in rules:
        if rule.sector == sector and rule.territory in keys:
            return rule.recipient
    for rule in rules:
        if rule.sector == sector and rule.territory is None:
            return rule.recipient
    for rule in rules:
        if rule.sector is None and rule.territory in keys:
            return rule.recipient
    return settings.routing.fallback


def sync_recipients(connection: Connection, settings: Settings) -> None:
    """Make the recipients table hold every recipient in config (added or updated)."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    for recipient in settings.recipients:
        values = {
            "code": recipient.code,
            "name": recipient.name,
            "kind": recipient.kind,
            "email": recipient.email,
            "telegram_chat_id": recipient.telegram_chat_id,
            "parent_code": recipient.parent,
        }
        statement = dialect.insert(recipients).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=["code"], set_={k: v for k, v in values.items() if k != "code"}
        )
        connection.execute(statement)
    if not any(r.code == settings.routing.fallback for r in settings.recipients):
        statement = (
            dialect.insert(recipients)
            .values(code=settings.routing.fallback, name="Операторы центра", kind="centre")
            .on_conflict_do_nothing(index_elements=["code"])
        )
        connection.execute(statement)


def recipient_id(connection: Connection, code: str) -> int:
    """The id of the recipient with this code; NotFound when there is none."""
    found = connection.execute(select(recipients.c.id).where(recipients.c.code == code)).scalar()
    if found is None:
        raise NotFound(f"Получатель не найден: {code}")
    return found
