"""What `otklik workers` shows: queues and their lengths, live workers, each step's last run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from celery import Celery
from kombu.exceptions import OperationalError as BrokerError
from sqlalchemy import Engine, func, select

from monitor.pipeline import pending_count
from monitor.store.claims import claimed_count, step_history
from monitor.store.tables import sources
from monitor.workers.tasks import QUEUES


@dataclass
class Health:
    """The state of the queues, the workers and the steps."""

    broker: str
    broker_error: str | None = None
    queues: dict[str, int | None] = field(default_factory=dict)
    workers: list[str] = field(default_factory=list)
    pending_posts: int = 0
    claimed_posts: int = 0
    failing_sources: int = 0
    steps: list[dict] = field(default_factory=list)


def queue_lengths(app: Celery) -> dict[str, int | None]:
    """Messages waiting in each queue (None for a queue the broker does not have yet)."""
    lengths: dict[str, int | None] = {}
    with app.connection_for_read() as connection:
        connection.ensure_connection(max_retries=1, timeout=3)
        channel = connection.default_channel
        for name in QUEUES:
            try:
                lengths[name] = channel.queue_declare(queue=name, passive=True).message_count
            except Exception:  # the broker says no such queue: nothing was ever sent to it
                lengths[name] = None
                channel = connection.channel()
    return lengths


def live_workers(app: Celery, timeout: float = 1.0) -> list[str]:
    """Names of the workers that answer a ping."""
    replies = app.control.ping(timeout=timeout) or []
    return sorted(name for reply in replies for name in reply)


def health(app: Celery, engine: Engine) -> Health:
    """Read the broker (if it answers) and the store."""
    report = Health(broker=_safe_url(app.conf.broker_url))
    try:
        report.queues = queue_lengths(app)
        report.workers = live_workers(app)
    except (BrokerError, OSError) as exc:
        report.broker_error = str(exc)
    with engine.connect() as connection:
        report.pending_posts = pending_count(connection)
        report.claimed_posts = claimed_count(connection, datetime.now(UTC))
        report.failing_sources = connection.execute(
            select(func.count()).select_from(sources).where(sources.c.consecutive_failures > 0)
        ).scalar_one()
        report.steps = step_history(connection)
    return report


def _safe_url(url: str) -> str:
    from kombu.utils.url import maybe_sanitize_url

    return maybe_sanitize_url(url)
