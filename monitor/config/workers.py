"""Settings of scale-out: the broker, claims and leases, the beat's schedule."""

from __future__ import annotations

from pydantic import Field

from monitor.config.base import Section


class WorkersSettings(Section):
    broker_url: str = Field(
        "redis://127.0.0.1:6379/0",
        description="Celery broker (redis://… or amqp://…); overridden by OTKLIK_BROKER_URL",
    )
    claim_seconds: float = Field(
        300,
        gt=0,
        description="A processing batch's claim on its posts; after it a killed worker's "
        "posts are taken again",
    )
    lease_seconds: float = Field(
        900,
        gt=0,
        description="Lease of a source's collection or a deadline check; longer than one run",
    )
    collect_every_seconds: float = Field(
        60, gt=0, description="The beat looks for sources due for a poll this often"
    )
    process_every_seconds: float = Field(
        30, gt=0, description="The beat queues processing of new posts this often"
    )
    tick_every_seconds: float = Field(60, gt=0, description="The beat's deadline check interval")
    notify_every_seconds: float = Field(
        60, gt=0, description="The beat sends due notifications this often"
    )
    max_fanout: int = Field(32, gt=0, description="Most processing batches queued by one dispatch")
    max_retries: int = Field(8, ge=0, description="Retries of a failed task (store or broker down)")
    retry_backoff_max_seconds: int = Field(
        600, gt=0, description="Longest wait between retries (the wait doubles from 1 s)"
    )
    visibility_timeout_seconds: int = Field(
        3600,
        gt=0,
        description="Redis only: an unacknowledged task is delivered again after this long",
    )
