"""Reach history: reading it for the detectors and the charts, and keeping it small.

A point is appended (monitor/store/posts.py) on a post's first read and on every read that
changed a counter, never on a read that found the same counters: such a read says only
"still the same", which the next changed point says too (the growth between two stored
points is the growth since the first of them), and skipping it is what makes a repeated
read (a crash, a re-run of `ingest`) append nothing.

Pruning (`prune_history`, run by `otklik risks prune`, `otklik risks scan --prune`, and once a
day by `otklik run`):
- points younger than `risks.history.full_days` stay as they are (the detectors read them);
- older ones are thinned to the post's first point and the latest point in each
  `downsample_hours` of the post's age (enough for a chart);
- points older than `retention_days` are dropped (the post keeps its last counters).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, extract, func, select

from monitor.config import ReachHistorySettings
from monitor.records import REACH_KEYS
from monitor.risks.spread import Trajectory
from monitor.store.tables import posts, reach_history

DELETE_CHUNK = 5000
THIN_WINDOW = timedelta(days=2)


@dataclass(frozen=True, slots=True)
class ReachPoint:
    """One stored read of a post's counters."""

    at: datetime
    views: int | None
    likes: int | None
    reposts: int | None
    comments: int | None

    @property
    def measure(self) -> int:
        """What growth is measured on: views, else the sum of the reactions."""
        if self.views is not None:
            return self.views
        return (self.likes or 0) + (self.reposts or 0) + (self.comments or 0)


@dataclass
class PruneReport:
    """What one pruning did."""

    thinned: int = 0
    dropped: int = 0


def reach_series(connection: Connection, post_ids: Sequence[int]) -> dict[int, list[ReachPoint]]:
    """The stored history of each post, oldest first."""
    series: dict[int, list[ReachPoint]] = {post_id: [] for post_id in post_ids}
    for start in range(0, len(post_ids), 500):
        rows = connection.execute(
            select(reach_history.c.post_id, reach_history.c.at, *_counters())
            .where(reach_history.c.post_id.in_(list(post_ids[start : start + 500])))
            .order_by(reach_history.c.post_id, reach_history.c.at, reach_history.c.id)
        )
        for row in rows:
            series[row.post_id].append(
                ReachPoint(row.at, row.views, row.likes, row.reposts, row.comments)
            )
    return series


def _epoch(connection: Connection, column):
    """Seconds since the epoch of a stored moment, computed by the database (fast to read)."""
    if connection.dialect.name == "postgresql":
        return extract("epoch", column)
    return (func.julianday(column) - 2440587.5) * 86400.0


def load_trajectories(connection: Connection, since: datetime) -> list[Trajectory]:
    """The reach trajectories of the posts published since `since` (comments excluded).

    Read as plain numbers (moments as epoch seconds, the counter as views or the sum of the
    reactions), since a day of a large region is millions of points.
    """
    h = reach_history.c
    measure = func.coalesce(
        h.views,
        func.coalesce(h.likes, 0) + func.coalesce(h.reposts, 0) + func.coalesce(h.comments, 0),
    )
    query = (
        select(
            posts.c.id,
            posts.c.source_id,
            _epoch(connection, posts.c.published_at),
            _epoch(connection, h.at),
            measure,
        )
        .join(reach_history, h.post_id == posts.c.id)
        .where(posts.c.published_at >= since)
        .where(posts.c.parent_external_id.is_(None))
        .order_by(posts.c.id, h.at, h.id)
    )
    trajectories = []
    current: int | None = None
    source_id, published, times, values = 0, 0.0, [], []
    for post_id, source, published_at, at, value in connection.execute(query):
        if post_id != current:
            if current is not None:
                trajectories.append(Trajectory(current, source_id, published, times, values))
            current, source_id, published = post_id, source, round(float(published_at), 3)
            times, values = [], []
        times.append(round(float(at), 3))  # julianday is exact to about 20 µs
        values.append(value)
    if current is not None:
        trajectories.append(Trajectory(current, source_id, published, times, values))
    return trajectories


def prune_history(
    connection: Connection, settings: ReachHistorySettings, now: datetime
) -> PruneReport:
    """Thin points older than `full_days`, drop those older than `retention_days`.

    Both steps read by the `at` index only the days they change, so a daily run costs two
    days' points; re-running it changes nothing more. (Points of days a stopped scheduler
    skipped for more than two days stay whole until retention drops them.)
    """
    report = PruneReport()
    drop_before = now - timedelta(days=settings.retention_days)
    report.dropped = connection.execute(
        delete(reach_history).where(reach_history.c.at < drop_before)
    ).rowcount
    thin_before = now - timedelta(days=settings.full_days)
    # Only the points that crossed `full_days` in the last THIN_WINDOW: a daily run thins
    # each point once (with a day to spare), and never reads the month already thinned.
    thin_after = max(drop_before, thin_before - THIN_WINDOW)
    rows = connection.execute(
        select(
            reach_history.c.id,
            reach_history.c.post_id,
            _epoch(connection, reach_history.c.at) - _epoch(connection, posts.c.published_at),
        )
        .join(posts, posts.c.id == reach_history.c.post_id)
        .where(reach_history.c.at >= thin_after, reach_history.c.at < thin_before)
        .order_by(reach_history.c.post_id, reach_history.c.at, reach_history.c.id)
    )
    doomed = list(_thinned(rows, timedelta(hours=settings.downsample_hours)))
    for start in range(0, len(doomed), DELETE_CHUNK):
        chunk = doomed[start : start + DELETE_CHUNK]
        connection.execute(delete(reach_history).where(reach_history.c.id.in_(chunk)))
    report.thinned = len(doomed)
    return report


def _thinned(rows: Iterable, step: timedelta) -> Iterable[int]:
    """Ids to delete: all but each post's first point and the latest one per age step.

    `rows` are (id, post id, age in seconds), ordered by post and time.
    """
    seconds = step.total_seconds()
    previous = None  # (id, post_id, slot, is_first)
    for point_id, post_id, age in rows:
        slot = int(round(float(age), 3) // seconds)
        same_post = previous is not None and previous[1] == post_id
        if same_post and previous[2] == slot and not previous[3]:
            yield previous[0]  # a later point of the same step replaces it
        previous = (point_id, post_id, slot, not same_post)


def _counters():
    return [reach_history.c[key] for key in REACH_KEYS]
