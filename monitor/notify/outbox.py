"""Queueing notifications: each is stored once under its dedup key, then sent by delivery.

Callers describe what should be said (a kind, a key, whom, a template context); the
outbox renders only those not stored yet, so re-deriving the same notifications on every
tick costs a lookup, not a message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from monitor.config import Settings
from monitor.notify.templates import render
from monitor.store.tables import notifications

KEY_LOOKUP_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Addressee:
    """A recipient as notifications see it."""

    id: int
    code: str
    name: str
    email: str | None
    telegram_chat_id: str | None


def enabled_channels(settings: Settings) -> list[str]:
    """The channels switched on in config."""
    channels = []
    if settings.notify.email.enabled:
        channels.append("email")
    if settings.notify.telegram.enabled:
        channels.append("telegram")
    return channels


@dataclass
class _Planned:
    dedup_key: str
    kind: str
    channel: str
    address: str
    addressee: Addressee
    incident_id: int | None
    context: Callable[[], dict[str, Any]]


@dataclass
class Outbox:
    """Notifications planned for one transaction: rendered by `new_rows`, then stored."""

    settings: Settings
    now: datetime
    planned: dict[str, _Planned] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.channels = enabled_channels(self.settings)

    def add(
        self,
        kind: str,
        key: str,
        addressee: Addressee | None,
        *,
        incident_id: int | None,
        context: Callable[[], dict[str, Any]],
    ) -> None:
        """Plan one message to every enabled channel the addressee has an address for."""
        if addressee is None:
            return
        for channel in self.channels:
            address = addressee.email if channel == "email" else addressee.telegram_chat_id
            if not address:
                continue
            dedup_key = f"{kind}:{key}:{channel}"
            self.planned.setdefault(
                dedup_key,
                _Planned(dedup_key, kind, channel, address, addressee, incident_id, context),
            )

    def new_rows(self, connection: Connection) -> list[dict[str, Any]]:
        """The planned notifications not stored yet, rendered as rows; reads, never writes.

        Called before the write transaction, so that rendering holds no lock.
        """
        keys = list(self.planned)
        existing: set[str] = set()
        for start in range(0, len(keys), KEY_LOOKUP_CHUNK):
            chunk = keys[start : start + KEY_LOOKUP_CHUNK]
            existing.update(
                connection.execute(
                    select(notifications.c.dedup_key).where(notifications.c.dedup_key.in_(chunk))
                ).scalars()
            )
        rows = []
        for key in keys:
            if key in existing:
                continue
            item = self.planned[key]
            subject, body = render(item.kind, recipient_name=item.addressee.name, **item.context())
            rows.append(
                {
                    "dedup_key": key,
                    "incident_id": item.incident_id,
                    "recipient_id": item.addressee.id,
                    "channel": item.channel,
                    "address": item.address,
                    "kind": item.kind,
                    "subject": subject,
                    "body": body,
                    "state": "pending",
                    "attempts": 0,
                    "next_attempt_at": self.now,
                    "created_at": self.now,
                }
            )
        self.planned.clear()
        return rows

    def flush(self, connection: Connection) -> int:
        """Render and store the planned notifications in one go (for small batches; the
        tick renders first and writes apart, see `new_rows`)."""
        return store_notifications(connection, self.new_rows(connection))


def store_notifications(connection: Connection, rows: list[dict[str, Any]]) -> int:
    """Store rows of `Outbox.new_rows`; returns how many were offered."""
    if rows:
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        # A concurrent tick may have stored some of the same keys meanwhile: skip those.
        statement = dialect.insert(notifications).on_conflict_do_nothing(
            index_elements=["dedup_key"]
        )
        connection.execute(statement, rows)
    return len(rows)
