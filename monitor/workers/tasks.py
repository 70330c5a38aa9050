"""Celery tasks: each one runs one batch step of monitor/steps.py against the store.

Every task is safe to run twice and in parallel: the work it does is claimed in the store
(post claims, leases, guarded updates), so a message delivered again after a worker died, a
retry, or two beats sending the same schedule change nothing twice. Messages are
acknowledged late (after the task ran) and given back when a worker process is lost; store
and broker errors are retried with a doubling wait.
"""

from __future__ import annotations

import logging
import math
from datetime import timedelta
from typing import Any

from celery import Celery, signals
from sqlalchemy.exc import OperationalError

from monitor.collectors.registry import due_sources, sync_sources
from monitor.collectors.runner import toolkit
from monitor.config import Settings
from monitor.context import Context
from monitor.incidents.routing import sync_recipients
from monitor.steps import TICK_LEASE, collect_leased, lease, recorded, wall_clock
from monitor.store.claims import new_owner, waiting_count

log = logging.getLogger(__name__)

QUEUES = ("collect", "process", "schedule")
ROUTES = {
    "otklik.collect_source": {"queue": "collect"},
    "otklik.process_batch": {"queue": "process"},
}
# The store or the broker is unreachable: worth waiting for. Anything else is a defect.
RETRIED = (OperationalError, ConnectionError, TimeoutError)

app = Celery("otklik", set_as_current=False)
app.conf.update(
    task_acks_late=True,  # a message is removed only after its task ran
    task_reject_on_worker_lost=True,  # a killed worker's message goes back to the queue
    worker_prefetch_multiplier=1,  # a worker holds one message per process, no more
    task_default_queue="schedule",
    task_routes=ROUTES,
    task_ignore_result=True,
    broker_connection_retry_on_startup=True,
    broker_connection_max_retries=None,  # wait for a restarted broker for as long as it takes
    worker_hijack_root_logger=False,
    beat_scheduler="celery.beat:Scheduler",  # in memory: every task is safe to repeat
)

_state: dict[str, Any] = {"config": None, "database": None, "ctx": None, "owner": None}


def configure(settings: Settings, config: str | None, database: str | None) -> Celery:
    """Point the app at the broker and the store of these settings; returns the app."""
    workers = settings.workers
    _state.update(config=config, database=database, ctx=None)
    app._after_fork()  # forget connections to an earlier broker (a process configured twice)
    app.conf.update(
        broker_url=workers.broker_url,
        broker_transport_options={"visibility_timeout": workers.visibility_timeout_seconds},
        beat_schedule={
            "collect": _every(workers.collect_every_seconds, "otklik.dispatch_collect"),
            "process": _every(workers.process_every_seconds, "otklik.dispatch_process"),
            "tick": _every(workers.tick_every_seconds, "otklik.tick"),
            "notify": _every(workers.notify_every_seconds, "otklik.notify"),
        },
    )
    for task in (collect_source, process_batch, dispatch_collect, dispatch_process, tick, notify):
        task.max_retries = workers.max_retries
        task.retry_backoff_max = workers.retry_backoff_max_seconds
    return app


def _every(seconds: float, task: str) -> dict:
    # A schedule entry that expires: a beat message nobody took in time is not worth running.
    return {"task": task, "schedule": seconds, "options": {"expires": max(seconds * 2, 30)}}


def context() -> Context:
    """This process's context (each worker process opens its own store connections)."""
    if _state["ctx"] is None:
        ctx = Context.open(_state["config"], _state["database"])
        with ctx.db.begin() as connection:
            sync_recipients(connection, ctx.settings)  # once per process, not per batch
        _state["ctx"], _state["owner"] = ctx, new_owner()
    return _state["ctx"]


def owner() -> str:
    """This process's name in claims and leases."""
    context()
    return _state["owner"]


@signals.worker_init.connect
def _load_model(**_: Any) -> None:
    # Load the model once in the parent, before the pool forks: children share its memory.
    if "process" in _queues_of_this_worker():
        context().classifier.warm_up()


@signals.worker_process_init.connect
def _own_connections(**_: Any) -> None:
    # A forked child must not reuse the parent's database connections.
    ctx = _state["ctx"]
    if ctx is not None and "engine" in ctx.__dict__:
        ctx.engine.dispose(close=False)
    _state["owner"] = new_owner()


def _queues_of_this_worker() -> set[str]:
    return set(_state.get("queues") or QUEUES)


TASK_OPTIONS = {
    "bind": True,
    "autoretry_for": RETRIED,
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
    "acks_late": True,
}


@app.task(name="otklik.collect_source", **TASK_OPTIONS)
def collect_source(self, name: str) -> dict | None:
    """Poll one source if it is due and no other worker polls it now."""
    ctx = context()
    source = next((s for s in ctx.settings.sources if s.name == name), None)
    if source is None:
        log.warning("source %s is no longer in the config", name)
        return None
    with recorded(ctx, f"collect:{name}", owner()), toolkit(ctx.settings) as tools:
        report = collect_leased(ctx, source, tools, owner())
    return None if report is None else {"inserted": report.inserted, "status": report.status}


@app.task(name="otklik.dispatch_collect", **TASK_OPTIONS)
def dispatch_collect(self) -> int:
    """Queue a collection of every source whose poll has come."""
    ctx = context()
    with ctx.db.begin() as connection:
        sync_sources(connection, ctx.settings.sources)
        due = due_sources(connection, ctx.settings, wall_clock())
    for source in due:
        collect_source.apply_async((source.name,), expires=ctx.settings.workers.lease_seconds)
    return len(due)


@app.task(name="otklik.process_batch", **TASK_OPTIONS)
def process_batch(self) -> int:
    """Claim, classify and group one batch of new posts; the count stored."""
    from monitor.pipeline import process_pending

    ctx = context()
    with recorded(ctx, "process", owner()):
        report = process_pending(ctx, max_batches=1, owner=owner(), sync=False)
    return report.classified


@app.task(name="otklik.dispatch_process", **TASK_OPTIONS)
def dispatch_process(self) -> int:
    """Queue one processing task per batch of unclaimed new posts (at most `max_fanout`)."""
    ctx = context()
    with ctx.db.connect() as connection:
        waiting = waiting_count(connection, wall_clock())
    workers = ctx.settings.workers
    batches = min(math.ceil(waiting / ctx.settings.classifier.batch_size), workers.max_fanout)
    expires = timedelta(seconds=max(workers.process_every_seconds * 4, 60))
    for _ in range(batches):
        process_batch.apply_async(expires=expires.total_seconds())
    return batches


@app.task(name="otklik.tick", **TASK_OPTIONS)
def tick(self) -> dict | None:
    """The deadline check, by one worker at a time (its writes are guarded anyway)."""
    from monitor.incidents.deadlines import tick as deadline_tick

    ctx = context()
    with lease(ctx, TICK_LEASE, owner()) as held:
        if not held:
            return None
        with recorded(ctx, "tick", owner()):
            report = deadline_tick(ctx)
    return {"escalations": report.escalations, "overdue": report.overdue_marked}


@app.task(name="otklik.notify", **TASK_OPTIONS)
def notify(self) -> int:
    """Send the notifications that are due (each claimed before it is sent)."""
    from monitor.notify.delivery import deliver_pending

    ctx = context()
    with recorded(ctx, "notify", owner()):
        return deliver_pending(ctx).sent
