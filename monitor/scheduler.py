"""The in-process scheduler of `otklik run`: collect what is due, process, check deadlines,
purge personal data past its retention and scan for information risks.

A simple loop rather than a job library: each cycle collects every source whose poll has
come (one source is one step), processes the new posts, runs the deadline check, and the
steps that run at most once per interval (`monitor.steps.Periodic`: the purge every
`privacy.purge_every_hours`, the risks scan every `risks.scan_minutes`), then
sleeps until the next source is due or `collectors.cycle_seconds` pass. A stop request
(SIGTERM, Ctrl-C) is honoured after the current step; a failing step is logged and tried
again next cycle, never fatal.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

from monitor.collectors.registry import due_sources, next_due_at, sync_sources
from monitor.collectors.runner import SourceReport, toolkit
from monitor.context import Context
from monitor.errors import OtklikError
from monitor.steps import Periodic, collect_leased, recorded
from monitor.store.claims import new_owner

log = logging.getLogger(__name__)

Step = Callable[[Context], Any]
MIN_SLEEP_SECONDS = 0.5


def deadline_tick() -> Step | None:
    """`monitor.incidents.deadlines.tick`, or None while that module is not there."""
    try:
        from monitor.incidents.deadlines import tick
    except ModuleNotFoundError as exc:
        if exc.name != "monitor.incidents.deadlines":
            raise
        return None
    return tick


def process_step() -> Step:
    """The pipeline's processing of new posts."""
    from monitor.pipeline import process_pending

    return process_pending


def reactions_step() -> Step:
    """Residents' reactions to recent answers (monitor/satisfaction/reactions.py)."""
    from monitor.satisfaction.reactions import scan

    return scan


def purge_step() -> Periodic:
    """The purge of personal data past retention, once per `privacy.purge_every_hours`."""

    def purge_now(ctx: Context) -> Any:
        from monitor.privacy import purge

        return purge(ctx.db, ctx.settings, now=ctx.now())

    return Periodic(purge_now, lambda settings: timedelta(hours=settings.privacy.purge_every_hours))


@dataclass
class PruneDaily:
    """A risks scan that also prunes the reach history with its first run of each day."""

    scan: Callable[..., Any]
    pruned_on: date | None = None

    def __call__(self, ctx: Context) -> Any:
        """Scan; prune as well when this is the day's first scan."""
        today = ctx.now().date()
        prune, self.pruned_on = self.pruned_on != today, today
        return self.scan(ctx, prune=prune)


def risks_step(scan: Callable[..., Any] | None = None) -> Periodic:
    """The information risks scan (monitor/risks/scan.py), every `risks.scan_minutes`
    (0: never); `scan(ctx, prune=...)` replaces the real one in tests."""
    if scan is None:
        from monitor.risks.scan import scan
    return Periodic(
        PruneDaily(scan), lambda settings: timedelta(minutes=settings.risks.scan_minutes)
    )


def official_step() -> Step:
    """Alerts for residents' signals unanswered under official pages (monitor/official/)."""
    from monitor.official.alerts import queue_unanswered

    return lambda ctx: queue_unanswered(ctx) if ctx.settings.official_pages.pages else 0


def stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM and Ctrl-C ask to stop after the current step; a second one stops at once."""

    def handler(signum: int, _frame: Any) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        log.warning("%s: stopping after the current step", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


@dataclass
class Scheduler:
    """Runs the collect → process → deadlines cycle until asked to stop."""

    ctx: Context
    stop: threading.Event = field(default_factory=threading.Event)
    process: Step | None = field(default_factory=process_step)
    tick: Step | None = field(default_factory=deadline_tick)
    purge: Step | None = field(default_factory=purge_step)
    reactions: Step | None = field(default_factory=reactions_step)
    official: Step | None = field(default_factory=official_step)
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    on_source: Callable[[SourceReport], None] | None = None
    risks: Step | None = field(default_factory=risks_step)
    cycles: int = 0
    owner: str = field(default_factory=new_owner)  # the name of its leases and claims

    def run(self, *, max_cycles: int | None = None) -> None:
        """Loop until stopped (or `max_cycles` cycles have run)."""
        settings = self.ctx.settings
        engine = self.ctx.db
        with engine.begin() as connection:
            sync_sources(connection, settings.sources)
        if self.tick is None:
            log.warning("deadline checks are not available yet: monitor.incidents.deadlines")
        with toolkit(settings, stop=self.stop, now=self.clock) as tools:
            while not self.stop.is_set():
                self._step("collect", lambda: self._collect_due(tools))
                steps = (
                    ("process", self.process),
                    ("reactions", self.reactions),
                    ("official pages", self.official),
                    ("tick", self.tick),
                    ("purge", self.purge),
                    ("risks", self.risks),
                )
                for name, step in steps:
                    if step is not None and not self.stop.is_set():
                        self._step(name, partial(step, self.ctx))
                self.cycles += 1
                if max_cycles is not None and self.cycles >= max_cycles:
                    break
                self.stop.wait(self._sleep_seconds())
        log.info("scheduler stopped after %d cycles", self.cycles)

    def _collect_due(self, tools) -> None:
        with self.ctx.db.connect() as connection:
            due = due_sources(connection, self.ctx.settings, self.clock())
        for source in due:
            if self.stop.is_set():
                return
            report = collect_leased(self.ctx, source, tools, self.owner)
            if report is None:
                continue  # a worker collects it right now
            log.info(
                "%s: %d read, %d new, %d refreshed, %d skipped%s",
                report.name,
                report.fetched,
                report.inserted,
                report.refreshed,
                report.skipped,
                f"; {report.status}: {report.error}" if report.error else "",
            )
            if self.on_source:
                self.on_source(report)

    def _step(self, name: str, action: Callable[[], Any]) -> None:
        try:
            with recorded(self.ctx, name, self.owner):
                action()
        except OtklikError as exc:
            log.error("%s: %s", name, exc)
        except Exception:
            log.exception("%s failed; tried again next cycle", name)

    def _sleep_seconds(self) -> float:
        wait = self.ctx.settings.collectors.cycle_seconds
        try:
            with self.ctx.db.connect() as connection:
                due = next_due_at(connection, self.ctx.settings)
        except Exception:
            log.exception("cannot read the next poll time")
            due = None
        if due is not None:
            wait = min(wait, (due - self.clock()).total_seconds())
        return max(wait, MIN_SLEEP_SECONDS)
