"""Collectors: one module per source kind on one small base (see base.py).

The public names are loaded on first use, so that importing one small part (the health
states, the errors) does not load every network client.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from monitor.collectors.registry import (
        build_collector,
        collector_class,
        health,
        sync_sources,
    )
    from monitor.collectors.runner import SourceReport, collect_source, commit_batch, toolkit

_HOMES = {
    **dict.fromkeys(("Batch", "Collector", "SourceState", "Toolkit"), "base"),
    **dict.fromkeys(
        (
            "CollectorError",
            "Interrupted",
            "MalformedItem",
            "NeedsOperator",
            "QuotaExhausted",
            "RateLimited",
            "SourceUnavailable",
        ),
        "errors",
    ),
    **dict.fromkeys(("build_collector", "collector_class", "health", "sync_sources"), "registry"),
    **dict.fromkeys(("SourceReport", "collect_source", "commit_batch", "toolkit"), "runner"),
}

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


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(f"monitor.collectors.{_HOMES[name]}"), name)
    raise AttributeError(f"module 'monitor.collectors' has no attribute {name!r}")
