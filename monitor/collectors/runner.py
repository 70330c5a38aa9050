"""Running collectors against the store: a source's posts and its cursor move together.

`commit_batch` is the one place where posts are stored for a collector, and it moves the
source's cursor in the same transaction. A crash before the commit leaves both as they
were (the posts are fetched again); a crash after it leaves both moved (nothing is fetched
twice, and a repeat would be stored once anyway).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
    StatementError,
)

from monitor.collectors.base import Batch, SourceState, Toolkit
from monitor.collectors.errors import CollectorError, Interrupted
from monitor.collectors.health import mark_failure, mark_success
from monitor.collectors.http import HttpClient, Retrier
from monitor.collectors.registry import build_collector, sync_sources
from monitor.config import Settings, SourceSettings, resolve_path
from monitor.store.posts import StoreResult, store_posts
from monitor.store.tables import posts, sources

log = logging.getLogger(__name__)


@dataclass
class SourceReport:
    """What one poll of one source brought."""

    name: str
    kind: str
    fetched: int = 0
    inserted: int = 0
    refreshed: int = 0
    skipped: int = 0
    status: str = "active"
    error: str | None = None
    parked_until: datetime | None = None


def commit_batch(
    connection: Connection, source_id: int, batch: Batch, *, collected_at: datetime
) -> StoreResult:
    """Store a batch's posts and move the source's cursor, in the caller's one transaction."""
    stored = store_posts(connection, source_id, batch.records, collected_at=collected_at)
    connection.execute(update(sources).where(sources.c.id == source_id).values(cursor=batch.cursor))
    return stored


def refused_by_the_store(error: Exception) -> bool:
    """Whether the store refused the data (a value it cannot take), not failed as a whole."""
    if isinstance(error, (ValueError, OverflowError)):
        return True  # raised by a driver binding a value (SQLite: a too large integer)
    if isinstance(error, DBAPIError):
        if error.connection_invalidated or isinstance(error, (OperationalError, InterfaceError)):
            return False
        return isinstance(error, (DataError, IntegrityError))
    return isinstance(error, StatementError)  # a value the driver could not even bind


def commit_one_by_one(
    engine: Engine, source_id: int, batch: Batch, *, collected_at: datetime
) -> StoreResult:
    """Store a refused batch record by record, skipping with its reason each one refused;
    then move the cursor, so one bad record never holds its source back."""
    stored = StoreResult()
    kept = []
    for record in batch.records:
        try:
            with engine.begin() as connection:
                stored.add(store_posts(connection, source_id, [record], collected_at=collected_at))
            kept.append(record)
        except (SQLAlchemyError, ValueError, OverflowError) as error:
            if not refused_by_the_store(error):
                raise
            reason = f"запись {record.external_id[:100]}: хранилище не приняло ({_short(error)})"
            log.warning("skipped %s", reason)
            batch.skipped.append(reason)
    batch.records[:] = kept
    with engine.begin() as connection:
        connection.execute(
            update(sources).where(sources.c.id == source_id).values(cursor=batch.cursor)
        )
    return stored


def _short(error: SQLAlchemyError) -> str:
    cause = error.orig if isinstance(error, DBAPIError) else error.__cause__ or error
    return (
        f"{type(cause).__name__}: {str(cause).splitlines()[0][:150]}"
        if str(cause)
        else (type(cause).__name__)
    )


def known_comments(engine: Engine, source_id: int, external_ids: Sequence[str]) -> dict[str, int]:
    """Stored comment counts of the source's posts with these external ids."""
    found: dict[str, int] = {}
    with engine.connect() as connection:
        for start in range(0, len(external_ids), 500):
            rows = connection.execute(
                select(posts.c.external_id, posts.c.comments)
                .where(posts.c.source_id == source_id)
                .where(posts.c.external_id.in_(list(external_ids[start : start + 500])))
            )
            found.update({row.external_id: row.comments or 0 for row in rows})
    return found


@contextmanager
def toolkit(
    settings: Settings, *, stop: threading.Event | None = None, now=None
) -> Iterator[Toolkit]:
    """HTTP and retries shared by the collectors of one run, closed at its end."""
    retrier = Retrier(settings.collectors.http, stop=stop)
    http = HttpClient(settings.collectors.http, retrier)
    try:
        yield Toolkit(
            http=http,
            retrier=retrier,
            now=now or (lambda: datetime.now(UTC)),
            base_dir=resolve_path(settings, "."),
            timezone=settings.timezone,
        )
    finally:
        http.close()


def collect_source(
    engine: Engine, settings: Settings, source: SourceSettings, tools: Toolkit
) -> SourceReport:
    """Poll one source; its failure is recorded on its health and never raised."""
    report = SourceReport(source.name, source.kind)
    with engine.begin() as connection:
        source_id = sync_sources(connection, [source])[source.name]
        row = connection.execute(select(sources).where(sources.c.id == source_id)).one()
    state = SourceState(
        cursor=dict(row.cursor or {}),
        known_comments=lambda ids: known_comments(engine, source_id, ids),
    )
    collector = None
    try:
        collector = build_collector(source, settings, tools)
        for batch in collector.batches(state):
            try:
                with engine.begin() as connection:
                    stored = commit_batch(connection, source_id, batch, collected_at=tools.now())
            except (SQLAlchemyError, ValueError, OverflowError) as error:
                if not refused_by_the_store(error):
                    raise
                stored = commit_one_by_one(engine, source_id, batch, collected_at=tools.now())
            report.fetched += len(batch.records)
            report.inserted += stored.inserted
            report.refreshed += stored.reach_updated
            report.skipped += len(batch.skipped)
        with engine.begin() as connection:
            mark_success(connection, source_id, now=tools.now(), poll_seconds=row.poll_interval_s)
    except Interrupted:
        report.status = "interrupted"  # stopping: health stays as it was, the cursor is exact
    except SQLAlchemyError:
        raise  # the store is down: not this source's fault
    except Exception as error:
        if not isinstance(error, CollectorError):
            log.exception("%s: collector failed", source.name)
            error = CollectorError(f"внутренняя ошибка сборщика: {error!r}")
        log.warning("%s: %s", source.name, error)
        with engine.begin() as connection:
            fresh = connection.execute(select(sources).where(sources.c.id == source_id)).one()
            report.status = mark_failure(
                connection, fresh, error, now=tools.now(), settings=settings.collectors
            )
        report.error = str(error)
        report.parked_until = getattr(error, "until", None)
    finally:
        if collector is not None:
            collector.close()
    return report


def collect_pass(
    engine: Engine,
    settings: Settings,
    selected: Sequence[SourceSettings],
    tools: Toolkit,
    *,
    explicit: bool = False,
) -> list[SourceReport]:
    """Poll each selected source once, skipping disabled and parked ones unless named."""
    with engine.begin() as connection:
        sync_sources(connection, selected)
        parked = {
            row.name: row.parked_until
            for row in connection.execute(
                select(sources.c.name, sources.c.parked_until).where(
                    sources.c.name.in_([source.name for source in selected])
                )
            )
            if row.parked_until is not None
        }
    reports = []
    for source in selected:
        if not explicit and not source.enabled:
            reports.append(SourceReport(source.name, source.kind, status="disabled"))
            continue
        until = parked.get(source.name)
        if until is not None and until > tools.now():
            reports.append(
                SourceReport(source.name, source.kind, status="parked", parked_until=until)
            )
            continue
        reports.append(collect_source(engine, settings, source, tools))
    return reports
