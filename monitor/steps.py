"""The batch steps as both runners call them: `otklik run` (embedded) and Celery workers.

Each step is the plain function of its module (collect_source, process_pending, tick,
deliver_pending); this module adds only what running them side by side needs: a lease so
that a source is never collected by two runners at once, a record of each run in
`step_runs` for `otklik workers`, and `Periodic` for the steps `otklik run` takes at most
once per interval (the purge, the risks scan). There is no second copy of any step's logic.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from monitor.collectors.base import Toolkit
from monitor.collectors.registry import due_sources
from monitor.collectors.runner import SourceReport, collect_source
from monitor.config import Settings, SourceSettings
from monitor.context import Context
from monitor.store.claims import acquire_lease, record_finish, record_start, release_lease

log = logging.getLogger(__name__)

TICK_LEASE = "tick"


def wall_clock() -> datetime:
    """Leases and step runs follow the wall clock, never `--now`."""
    return datetime.now(UTC)


@contextmanager
def recorded(ctx: Context, step: str, worker: str) -> Iterator[None]:
    """Record the start and the outcome of one run of a step (never fails the step itself)."""
    started = time.perf_counter()
    try:
        record_start(ctx.db, step, worker, wall_clock())
    except SQLAlchemyError as exc:
        log.warning("%s: start not recorded: %s", step, exc)
    error = None
    try:
        yield
    except BaseException as exc:
        error = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        try:
            record_finish(
                ctx.db,
                step,
                now=wall_clock(),
                seconds=time.perf_counter() - started,
                error=error,
            )
        except SQLAlchemyError as exc:
            log.warning("%s: outcome not recorded: %s", step, exc)


@contextmanager
def lease(ctx: Context, name: str, owner: str) -> Iterator[bool]:
    """Hold the named lease for the block; yields False (and holds nothing) if it is taken."""
    held = acquire_lease(
        ctx.db, name, owner, now=wall_clock(), seconds=ctx.settings.workers.lease_seconds
    )
    try:
        yield held
    finally:
        if held:
            release_lease(ctx.db, name, owner)


def collect_leased(
    ctx: Context, source: SourceSettings, tools: Toolkit, owner: str, *, only_if_due: bool = True
) -> SourceReport | None:
    """Collect one source under its lease; None when another runner has it or it is not due.

    The due check runs under the lease: a task queued twice for one poll, or a poll that
    another worker has just finished, collects nothing.
    """
    with lease(ctx, f"collect:{source.name}", owner) as held:
        if not held:
            log.info("%s: collected by another worker now", source.name)
            return None
        if only_if_due:
            with ctx.db.connect() as connection:
                due = {s.name for s in due_sources(connection, ctx.settings, tools.now())}
            if source.name not in due:
                return None
        return collect_source(ctx.db, ctx.settings, source, tools)


@dataclass
class Periodic:
    """A step that runs at most once per interval, the one such mechanism of `otklik run`.

    The interval is read from the settings at every call (zero: never), and time is the
    context's (`--now` where a command has it), so a test drives it by moving the clock.
    """

    action: Callable[[Context], Any]
    interval: Callable[[Settings], timedelta]
    last: datetime | None = None

    def __call__(self, ctx: Context) -> Any:
        """Run the action when the interval has passed since its last run here; else None."""
        every = self.interval(ctx.settings)
        now = ctx.now()
        if every <= timedelta(0) or (self.last is not None and now - self.last < every):
            return None
        self.last = now
        return self.action(ctx)
