"""SQL pieces the reports share: the incident filter and time arithmetic per dialect."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection, Float, cast, extract, func

from monitor.analytics.period import Period
from monitor.store.tables import incidents


def incident_filter(
    period: Period, *, recipient_id: int | None = None, sector: str | None = None
) -> list[ColumnElement[bool]]:
    """Incidents registered in the period, optionally of one recipient or one sector."""
    conditions = [incidents.c.created_at >= period.start, incidents.c.created_at < period.end]
    if recipient_id is not None:
        conditions.append(incidents.c.recipient_id == recipient_id)
    if sector is not None:
        conditions.append(incidents.c.sector == sector)
    return conditions


def seconds_between(connection: Connection, later, earlier) -> ColumnElement[float]:
    """SQL for the seconds from `earlier` to `later` (two timestamp columns)."""
    if connection.dialect.name == "sqlite":
        return cast((func.julianday(later) - func.julianday(earlier)) * 86400.0, Float)
    return cast(extract("epoch", later - earlier), Float)


def hour_bucket(connection: Connection, column) -> ColumnElement[str]:
    """SQL for the UTC hour of a timestamp as text 'YYYY-MM-DD HH'.

    Reports group by UTC hour in SQL and fold hours into local days in Python, which is
    exact in every time zone with whole-hour offsets (all of Russia's) on both dialects.
    """
    if connection.dialect.name == "sqlite":
        return func.strftime("%Y-%m-%d %H", column)
    return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD HH24")


def local_day(hour: str, zone: ZoneInfo) -> date:
    """The local day of a UTC hour bucket from `hour_bucket`."""
    moment = datetime.strptime(hour, "%Y-%m-%d %H").replace(tzinfo=UTC)
    return moment.astimezone(zone).date()


def fold_days(rows: Iterable[tuple[str, int]], zone: ZoneInfo) -> dict[date, int]:
    """Sum (hour bucket, count) pairs into counts per local day."""
    days: dict[date, int] = {}
    cache: dict[str, date] = {}
    for hour, count in rows:
        day = cache.get(hour)
        if day is None:
            day = cache[hour] = local_day(hour, zone)
        days[day] = days.get(day, 0) + count
    return days
