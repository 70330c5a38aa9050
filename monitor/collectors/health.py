"""A source's health after each poll: success, backoff with jitter, parking, alerts."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, update

from monitor.collectors.errors import (
    CollectorError,
    NeedsOperator,
    QuotaExhausted,
    SourceUnavailable,
)
from monitor.config import CollectorsSettings
from monitor.incidents.audit import record_event
from monitor.store.tables import sources

ALERT_KIND = "source_alert"
STATUS_NAMES = {
    "active": "работает",
    "failing": "сбои",
    "parked": "отложен до завтра",
    "unavailable": "недоступен",
    "needs_operator": "нужен оператор",
}


def mark_success(
    connection: Connection, source_id: int, *, now: datetime, poll_seconds: float
) -> None:
    """The source was read: clear failures and schedule the next poll."""
    connection.execute(
        update(sources)
        .where(sources.c.id == source_id)
        .values(
            status="active",
            last_success_at=now,
            consecutive_failures=0,
            parked_until=None,
            next_poll_at=now + timedelta(seconds=poll_seconds),
        )
    )


def backoff_seconds(
    failures: int, poll_seconds: float, settings: CollectorsSettings, rng: random.Random
) -> float:
    """Doubling wait after each consecutive failure, capped, with half of it random."""
    ceiling = min(settings.failure_backoff_max_minutes * 60, poll_seconds * 2 ** (failures - 1))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


def mark_failure(
    connection: Connection,
    row: Any,
    error: CollectorError,
    *,
    now: datetime,
    settings: CollectorsSettings,
    rng: random.Random | None = None,
) -> str:
    """Record why the source failed, choose when to try again; returns the new status."""
    rng = rng or random.Random()
    failures = row.consecutive_failures + 1
    parked_until = None
    if isinstance(error, QuotaExhausted):
        status, parked_until, next_poll = "parked", error.until, error.until
        failures = row.consecutive_failures  # a spent quota is not the source's fault
    elif isinstance(error, SourceUnavailable):
        status = "unavailable"
        next_poll = now + timedelta(hours=settings.unavailable_retry_hours)
    elif isinstance(error, NeedsOperator):
        status = "needs_operator"
        next_poll = now + timedelta(minutes=settings.failure_backoff_max_minutes)
    else:
        status = "failing"
        wait = backoff_seconds(failures, row.poll_interval_s, settings, rng)
        next_poll = now + timedelta(seconds=wait)
    message = str(error)
    connection.execute(
        update(sources)
        .where(sources.c.id == row.id)
        .values(
            status=status,
            last_error_at=now,
            last_error=message,
            consecutive_failures=failures,
            parked_until=parked_until,
            next_poll_at=next_poll,
        )
    )
    if status == "needs_operator" and (row.status != status or row.last_error != message):
        # one alert per new problem, not one per poll while it lasts
        record_event(
            connection,
            incident_id=None,
            kind=ALERT_KIND,
            at=now,
            payload={"source": row.name, "source_kind": row.kind, "error": message},
        )
    return status
