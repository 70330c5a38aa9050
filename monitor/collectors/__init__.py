"""Collectors: one module per source kind on one small base (see base.py)."""

from monitor.collectors.base import Batch, Collector, SourceState, Toolkit
from monitor.collectors.errors import (
    CollectorError,
    Interrupted,
    MalformedItem,
    NeedsOperator,
    QuotaExhausted,
    RateLimited,
    SourceUnavailable,
)
from monitor.collectors.registry import build_collector, collector_class, health, sync_sources
from monitor.collectors.runner import SourceReport, collect_source, commit_batch, toolkit

__all__ = [
    "Batch",
    "Collector",
    "CollectorError",
    "Interrupted",
    "MalformedItem",
    "NeedsOperator",
    "QuotaExhausted",
    "RateLimited",
    "SourceReport",
    "SourceState",
    "SourceUnavailable",
    "Toolkit",
    "build_collector",
    "collect_source",
    "collector_class",
    "commit_batch",
    "health",
    "sync_sources",
    "toolkit",
]
