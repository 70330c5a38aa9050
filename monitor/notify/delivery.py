"""Sending queued notifications: claimed one at a time, retried with backoff, audited.

A notification is claimed (state `sending`, attempt counted) in its own short
transaction before the network call, so two senders never send the same one, and one
whose sender died mid-send becomes due again when its claim expires. A channel whose
server is down is skipped for the rest of the run, so the other channel keeps going.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, or_, select, update

from monitor.config import NotifySettings, Settings
from monitor.context import Context
from monitor.incidents.audit import record_event
from monitor.notify.channels import (
    Channel,
    ChannelDown,
    EmailChannel,
    Rejected,
    SendError,
    TelegramChannel,
)
from monitor.store.tables import notifications

CLAIM = timedelta(minutes=5)
ERROR_CHARS = 1000


@dataclass
class DeliveryReport:
    """What one delivery run did."""

    sent: int = 0
    deferred: int = 0
    failed: int = 0
    skipped: int = 0


def default_channels(settings: Settings) -> dict[str, Channel]:
    """The channels switched on in config."""
    channels: dict[str, Channel] = {}
    if settings.notify.email.enabled:
        channels["email"] = EmailChannel(settings.notify.email)
    if settings.notify.telegram.enabled:
        channels["telegram"] = TelegramChannel(settings.notify.telegram)
    return channels


def backoff(settings: NotifySettings, attempt: int, retry_after: float | None = None) -> timedelta:
    """Wait before the next attempt: doubling from `backoff_seconds`, capped."""
    seconds = min(settings.backoff_seconds * 2 ** (attempt - 1), settings.backoff_max_seconds)
    return timedelta(seconds=max(seconds, retry_after or 0))


def deliver_pending(
    ctx: Context,
    now: datetime | None = None,
    *,
    channels: Mapping[str, Channel] | None = None,
    limit: int = 1000,
) -> DeliveryReport:
    """Send every notification that is due, oldest first; failures wait and retry."""
    now = now or ctx.now()
    engine = ctx.db
    own = channels is None
    channels = default_channels(ctx.settings) if channels is None else channels
    report = DeliveryReport()
    try:
        with engine.connect() as connection:
            due = connection.execute(
                select(notifications)
                .where(notifications.c.state.in_(("pending", "sending")))
                .where(
                    or_(
                        notifications.c.next_attempt_at.is_(None),
                        notifications.c.next_attempt_at <= now,
                    )
                )
                .order_by(notifications.c.next_attempt_at, notifications.c.id)
                .limit(limit)
            ).all()
        down: set[str] = set()
        for item in due:
            channel = channels.get(item.channel)
            if channel is None or item.channel in down or not _claim(engine, item, now):
                report.skipped += 1
                continue
            try:
                channel.send(item.address, item.subject, item.body, message_key=item.dedup_key)
            except SendError as exc:
                if isinstance(exc, ChannelDown):
                    down.add(item.channel)
                final = _failed(engine, ctx.settings.notify, item, exc, now)
                report.failed += final
                report.deferred += not final
            else:
                _sent(engine, item, now)
                report.sent += 1
    finally:
        if own:
            for channel in channels.values():
                close = getattr(channel, "close", None)
                if close:
                    close()
    return report


def _claim(engine: Engine, item, now: datetime) -> bool:
    with engine.begin() as connection:
        return bool(
            connection.execute(
                update(notifications)
                .where(notifications.c.id == item.id)
                .where(notifications.c.state == item.state)
                .where(notifications.c.attempts == item.attempts)
                .values(state="sending", attempts=item.attempts + 1, next_attempt_at=now + CLAIM)
            ).rowcount
        )


def _audit_payload(item, attempt: int) -> dict:
    return {
        "notification_id": item.id,
        "kind": item.kind,
        "channel": item.channel,
        "address": item.address,
        "attempt": attempt,
    }


def _sent(engine: Engine, item, now: datetime) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(notifications)
            .where(notifications.c.id == item.id)
            .values(state="sent", sent_at=now, next_attempt_at=None, last_error=None)
        )
        record_event(
            connection,
            incident_id=item.incident_id,
            kind="notification_sent",
            at=now,
            payload=_audit_payload(item, item.attempts + 1),
        )


def _failed(engine: Engine, settings: NotifySettings, item, exc: SendError, now: datetime) -> bool:
    """Record a failed attempt; returns True when the notification is given up."""
    attempt = item.attempts + 1
    final = isinstance(exc, Rejected) or attempt >= settings.max_attempts
    retry_at = None if final else now + backoff(settings, attempt, exc.retry_after)
    error = str(exc)[:ERROR_CHARS]
    with engine.begin() as connection:
        connection.execute(
            update(notifications)
            .where(notifications.c.id == item.id)
            .values(
                state="failed" if final else "pending", next_attempt_at=retry_at, last_error=error
            )
        )
        record_event(
            connection,
            incident_id=item.incident_id,
            kind="notification_failed",
            at=now,
            payload={
                **_audit_payload(item, attempt),
                "error": error,
                "retry_at": retry_at.isoformat() if retry_at else None,
            },
        )
    return final
