"""The officer's summary of the queue: open incidents by sector, risk, recipient; overdue."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, func, select

from monitor.incidents.lifecycle import OPEN_STATUSES, RISK_RANK
from monitor.incidents.queue import QueueFilter, list_incidents, overdue_condition
from monitor.store.tables import classifications, incidents, posts, recipients


@dataclass
class QueueSummary:
    """Counts an officer reads first."""

    posts: int = 0
    classified: int = 0
    relevant: int = 0
    open_incidents: int = 0
    by_sector: dict[str, int] = field(default_factory=dict)
    by_risk: dict[str, int] = field(default_factory=dict)
    by_recipient: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    overdue: list[dict] = field(default_factory=list)
    overdue_count: int = 0


def _counts(connection: Connection, column, *, joined=None) -> dict[str, int]:
    source = joined if joined is not None else incidents
    rows = connection.execute(
        select(column, func.count())
        .select_from(source)
        .where(incidents.c.status.in_(OPEN_STATUSES))
        .group_by(column)
        .order_by(func.count().desc())
    )
    return {str(key): count for key, count in rows}


def queue_summary(
    connection: Connection, now: datetime, *, overdue_limit: int = 15
) -> QueueSummary:
    """Summarise the store as of `now`."""
    summary = QueueSummary()
    summary.posts = connection.execute(select(func.count()).select_from(posts)).scalar_one()
    summary.classified = connection.execute(
        select(func.count(func.distinct(classifications.c.post_id)))
    ).scalar_one()
    summary.relevant = connection.execute(
        select(func.count(func.distinct(classifications.c.post_id))).where(
            classifications.c.relevant.is_(True)
        )
    ).scalar_one()
    summary.by_sector = _counts(connection, incidents.c.sector)
    by_risk = _counts(connection, incidents.c.risk)
    summary.by_risk = {risk: by_risk.get(risk, 0) for risk in reversed(RISK_RANK)}
    summary.by_recipient = _counts(
        connection,
        recipients.c.name,
        joined=incidents.outerjoin(recipients, recipients.c.id == incidents.c.recipient_id),
    )
    summary.by_status = {
        status: count
        for status, count in connection.execute(
            select(incidents.c.status, func.count()).group_by(incidents.c.status)
        )
    }
    summary.open_incidents = sum(summary.by_sector.values())
    summary.overdue_count = connection.execute(
        select(func.count()).select_from(incidents).where(overdue_condition(now))
    ).scalar_one()
    summary.overdue = list_incidents(
        connection, QueueFilter(overdue=True, limit=overdue_limit), now
    )
    return summary
