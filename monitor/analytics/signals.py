"""Signals: the residents' voices behind incidents, each counted once.

A signal's cause is the post it reposts; else, for a post with a known author, that
author within that incident (one resident cross-posting a complaint to five groups is one
voice); else the post itself. Each cause is counted once per sector × territory, on the
day it first appeared, so a hundred reposts of one post are one signal, not a hundred.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, String, case, cast, func, literal, select

from monitor.analytics.period import Period
from monitor.analytics.sql import hour_bucket, local_day
from monitor.store.tables import incident_posts, incidents, posts

SeriesKey = tuple[str, str | None]  # (sector, territory)


def cause_key():
    """SQL: the cause of a post: the original it reposts, its author in the incident, itself."""
    author_in_incident = case(
        (
            posts.c.author_id.is_not(None),
            literal("author:")
            + cast(incident_posts.c.incident_id, String)
            + ":"
            + posts.c.author_id,
        ),
        else_=None,
    )
    return func.coalesce(posts.c.repost_of_external_id, author_in_incident, posts.c.external_id)


def _window_filter(start: datetime, end: datetime, recipient_id: int | None) -> list:
    conditions = [posts.c.published_at >= start, posts.c.published_at < end]
    if recipient_id is not None:
        conditions.append(incidents.c.recipient_id == recipient_id)
    return conditions


def _joined():
    return incident_posts.join(posts, posts.c.id == incident_posts.c.post_id).join(
        incidents, incidents.c.id == incident_posts.c.incident_id
    )


def daily_signals(
    connection: Connection, window: Period, *, recipient_id: int | None = None
) -> dict[SeriesKey, dict[date, int]]:
    """Causes per (sector, territory) per local day of the window."""
    cause = cause_key().label("cause")
    causes = (
        select(
            incidents.c.sector,
            incidents.c.territory,
            cause,
            hour_bucket(connection, func.min(posts.c.published_at)).label("hour"),
        )
        .select_from(_joined())
        .where(*_window_filter(window.start, window.end, recipient_id))
        .group_by(incidents.c.sector, incidents.c.territory, cause)
        .subquery()
    )
    rows = connection.execute(
        select(
            causes.c.sector, causes.c.territory, causes.c.hour, func.count().label("n")
        ).group_by(causes.c.sector, causes.c.territory, causes.c.hour)
    )
    zone = window.tz
    series: dict[SeriesKey, dict[date, int]] = {}
    days_of_hour: dict[str, date] = {}
    for row in rows:
        day = days_of_hour.get(row.hour)
        if day is None:
            day = days_of_hour[row.hour] = local_day(row.hour, zone)
        counts = series.setdefault((row.sector, row.territory), {})
        counts[day] = counts.get(day, 0) + row.n
    return series


@dataclass(frozen=True, slots=True)
class Cause:
    """The first post of one cause: what the drivers of growth are counted over."""

    cause: str
    sector: str
    territory: str | None
    post_id: int
    published_at: datetime
    text: str
    source_id: int


def causes_of(
    connection: Connection,
    start: datetime,
    end: datetime,
    *,
    sectors: set[str],
    recipient_id: int | None = None,
) -> list[Cause]:
    """The causes in the window for the given sectors, each with its earliest post."""
    if not sectors:
        return []
    rows = connection.execute(
        select(
            cause_key().label("cause"),
            incidents.c.sector,
            incidents.c.territory,
            posts.c.id,
            posts.c.published_at,
            posts.c.text,
            posts.c.source_id,
        )
        .select_from(_joined())
        .where(*_window_filter(start, end, recipient_id), incidents.c.sector.in_(sorted(sectors)))
        .order_by(posts.c.published_at, posts.c.id)
    )
    first: dict[tuple[str, str, str | None], Cause] = {}
    for row in rows:
        key = (row.cause, row.sector, row.territory)
        if key not in first:
            first[key] = Cause(
                row.cause,
                row.sector,
                row.territory,
                row.id,
                row.published_at,
                row.text,
                row.source_id,
            )
    return list(first.values())


def incidents_with_signals(
    connection: Connection, period: Period, *, recipient_id: int | None = None
) -> dict[SeriesKey, int]:
    """How many distinct incidents had signals in the period, per (sector, territory)."""
    keys = (incidents.c.sector, incidents.c.territory)
    rows = connection.execute(
        select(*keys, func.count(func.distinct(incidents.c.id)).label("n"))
        .select_from(_joined())
        .where(*_window_filter(period.start, period.end, recipient_id))
        .group_by(*keys)
    )
    return {(row.sector, row.territory): row.n for row in rows}
