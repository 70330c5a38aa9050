"""Residents' satisfaction per recipient: satisfied share, reopened share, time to a fix that held.

- Satisfaction share: of the incidents answered with a clear reaction (the last reaction
  that is satisfied or not satisfied), the share whose last clear reaction is satisfied;
  `with_reaction` says how many had one.
- Reopened share: incidents that were ever reopened (by the resident or an officer) ÷
  incidents that got a final answer.
- A fix that held: the incident's last final answer stands (answered or closed now, no
  not-satisfied reaction after it); the time is from registration to that answer.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Connection, select

from monitor.analytics.period import Period
from monitor.analytics.sql import incident_filter
from monitor.store.tables import events, incidents, reactions

HELD_STATUSES = ("answered", "closed")


@dataclass(frozen=True, slots=True)
class Satisfaction:
    """One recipient's reaction figures for a period."""

    answered: int = 0
    with_reaction: int = 0
    satisfied: int = 0
    reopened: int = 0
    fixes_held: int = 0
    median_fix_hours: float | None = None

    @property
    def satisfaction_share(self) -> float | None:
        """Satisfied ÷ answered with a clear reaction (None without any)."""
        return self.satisfied / self.with_reaction if self.with_reaction else None

    @property
    def reopened_share(self) -> float | None:
        """Reopened ÷ answered (None when nothing was answered)."""
        return self.reopened / self.answered if self.answered else None


def satisfaction_by_recipient(
    connection: Connection, period: Period, *, recipient_id: int | None = None
) -> dict[int, Satisfaction]:
    """The figures of every recipient with incidents registered in the period."""
    c = incidents.c
    where = [*incident_filter(period, recipient_id=recipient_id), c.recipient_id.is_not(None)]
    scope = select(c.id).where(*where)
    answered_ids = set(
        connection.execute(
            select(events.c.incident_id).where(
                events.c.kind == "answer", events.c.incident_id.in_(scope)
            )
        ).scalars()
    )
    reopened_ids = set(
        connection.execute(
            select(events.c.incident_id).where(
                events.c.kind == "reopened", events.c.incident_id.in_(scope)
            )
        ).scalars()
    )
    last_clear: dict[int, tuple] = {}
    for row in connection.execute(
        select(reactions.c.incident_id, reactions.c.verdict, reactions.c.at, reactions.c.id)
        .where(
            reactions.c.incident_id.in_(scope),
            reactions.c.verdict.in_(("satisfied", "not_satisfied")),
        )
        .order_by(reactions.c.at, reactions.c.id)
    ):
        last_clear[row.incident_id] = (row.verdict, row.at)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    fix_hours: dict[int, list[float]] = defaultdict(list)
    for row in connection.execute(
        select(c.id, c.recipient_id, c.status, c.created_at, c.answered_at).where(*where)
    ):
        mine = counts[row.recipient_id]
        if row.id not in answered_ids:
            continue
        mine["answered"] += 1
        mine["reopened"] += row.id in reopened_ids
        reaction = last_clear.get(row.id)
        if reaction is not None:
            mine["with_reaction"] += 1
            mine["satisfied"] += reaction[0] == "satisfied"
        disputed = reaction is not None and reaction[0] == "not_satisfied"
        if (
            row.status in HELD_STATUSES
            and row.answered_at is not None
            and not (disputed and reaction[1] >= row.answered_at)
        ):
            fix_hours[row.recipient_id].append(
                max((row.answered_at - row.created_at).total_seconds(), 0.0) / 3600
            )
    return {
        key: Satisfaction(
            answered=mine["answered"],
            with_reaction=mine["with_reaction"],
            satisfied=mine["satisfied"],
            reopened=mine["reopened"],
            fixes_held=len(fix_hours[key]),
            median_fix_hours=statistics.median(fix_hours[key]) if fix_hours[key] else None,
        )
        for key, mine in counts.items()
    }
