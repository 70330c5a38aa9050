"""The rating of recipients: volume, speed and completeness of their answers in a period."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, func, select

from monitor.analytics.labels import recipient_names
from monitor.analytics.period import Period
from monitor.analytics.satisfaction import Satisfaction, satisfaction_by_recipient
from monitor.analytics.sql import incident_filter, seconds_between
from monitor.incidents.ontime import OnTime, answered, on_time_share
from monitor.store.tables import events, incidents

# Audit events that mean the recipient's work was sent back: the officer reopened the
# incident after an answer, or rejected it.
REWORK_EVENTS = ("reopen", "reopened", "rejected", "answer_rejected")

RANKING_RULE = (
    "Место — по доле ответов в срок (по убыванию), затем по доле окончательных ответов "
    "(по убыванию), затем по медиане времени первого ответа (по возрастанию)"
)


@dataclass(frozen=True, slots=True)
class RecipientRating:
    """One recipient's numbers for a period; times in hours, shares in 0..1."""

    rank: int
    recipient_id: int
    code: str
    name: str
    incidents: int
    first_responses: int
    median_first_response_hours: float | None
    mean_first_response_hours: float | None
    on_time: int
    judged: int
    open_overdue: int
    on_time_share: float | None
    answered: int
    answered_share: float
    rework: int
    rework_share: float
    # Residents' reactions (monitor/analytics/satisfaction.py).
    with_reaction: int = 0
    satisfied: int = 0
    satisfaction_share: float | None = None
    reopened: int = 0
    reopened_share: float | None = None
    fixes_held: int = 0
    median_fix_hours: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """The rating row for JSON output."""
        return asdict(self)


def _sort_key(rating: RecipientRating) -> tuple:
    median = rating.median_first_response_hours
    return (
        -(rating.on_time_share if rating.on_time_share is not None else -1.0),
        -rating.answered_share,
        median if median is not None else float("inf"),
        -rating.incidents,
        rating.code,
    )


def _response_hours(connection: Connection, period: Period) -> dict[int, list[float]]:
    c = incidents.c
    seconds = seconds_between(connection, c.first_response_at, c.created_at)
    rows = connection.execute(
        select(c.recipient_id, seconds.label("seconds")).where(
            *incident_filter(period),
            c.recipient_id.is_not(None),
            c.first_response_at.is_not(None),
        )
    )
    hours: dict[int, list[float]] = {}
    for row in rows:
        hours.setdefault(row.recipient_id, []).append(max(float(row.seconds), 0.0) / 3600)
    return hours


def recipient_ratings(
    connection: Connection,
    period: Period,
    *,
    now: datetime,
    recipient_id: int | None = None,
) -> list[RecipientRating]:
    """Every recipient with incidents registered in the period, ranked.

    Time to first response is wall-clock time from registration to the first (interim or
    final) answer. On-time share is `monitor.incidents.ontime` as of `now`: answered on
    time ÷ (all answered + open and overdue). Rework share counts incidents the officer
    reopened or rejected. The rank follows `RANKING_RULE`; with `recipient_id` only that
    recipient's row is returned, still with its rank among all recipients.
    """
    c = incidents.c
    where = [*incident_filter(period), c.recipient_id.is_not(None)]
    reworked = select(events.c.incident_id).where(events.c.kind.in_(REWORK_EVENTS))
    rows = connection.execute(
        select(
            c.recipient_id,
            func.count().label("incidents"),
            func.sum(case((answered(), 1), else_=0)).label("answered"),
            func.sum(case((c.id.in_(reworked), 1), else_=0)).label("rework"),
        )
        .where(*where)
        .group_by(c.recipient_id)
    ).all()
    on_time: dict[int, OnTime] = on_time_share(connection, now=now, where=where, by=c.recipient_id)
    hours = _response_hours(connection, period)
    names = recipient_names(connection)
    reacted = satisfaction_by_recipient(connection, period)
    unranked = []
    for row in rows:
        counts = on_time.get(row.recipient_id, OnTime())
        times = hours.get(row.recipient_id, [])
        code, name = names.get(row.recipient_id, (str(row.recipient_id), "?"))
        unranked.append(
            RecipientRating(
                rank=0,
                recipient_id=row.recipient_id,
                code=code,
                name=name,
                incidents=row.incidents,
                first_responses=len(times),
                median_first_response_hours=statistics.median(times) if times else None,
                mean_first_response_hours=statistics.fmean(times) if times else None,
                on_time=counts.on_time,
                judged=counts.judged,
                open_overdue=counts.open_overdue,
                on_time_share=counts.share,
                answered=row.answered or 0,
                answered_share=(row.answered or 0) / row.incidents,
                rework=row.rework or 0,
                rework_share=(row.rework or 0) / row.incidents,
                **_satisfaction(reacted.get(row.recipient_id, Satisfaction())),
            )
        )
    ordered = sorted(unranked, key=_sort_key)
    ranked = [replace(rating, rank=place) for place, rating in enumerate(ordered, 1)]
    if recipient_id is not None:
        return [rating for rating in ranked if rating.recipient_id == recipient_id]
    return ranked


def _satisfaction(figures: Satisfaction) -> dict[str, Any]:
    return {
        "with_reaction": figures.with_reaction,
        "satisfied": figures.satisfied,
        "satisfaction_share": figures.satisfaction_share,
        "reopened": figures.reopened,
        "reopened_share": figures.reopened_share,
        "fixes_held": figures.fixes_held,
        "median_fix_hours": figures.median_fix_hours,
    }
