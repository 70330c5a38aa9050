"""Settings and runs for collector tests: a config file pointing at the local servers."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine, select

from monitor.collectors.runner import SourceReport, collect_pass, toolkit
from monitor.config import Settings, load_settings
from monitor.store import make_engine
from monitor.store.tables import events, posts, sources

# fast retries so that error tests do not wait; the rules are the same as in production
FAST = {
    "http": {
        "timeout_seconds": 5,
        "retries": 2,
        "backoff_seconds": 0.01,
        "backoff_max_seconds": 0.02,
    },
    "vk": {"min_interval_seconds": 0},
}


def merge(base: dict, extra: dict) -> dict:
    """Deep merge of two plain dicts."""
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def write_config(
    folder: Path, db_url: str, sources_: list[dict], collectors: dict | None = None
) -> Path:
    """A config.yaml with these sources and collector settings; returns its path."""
    data = {
        "timezone": "Europe/Moscow",
        "database": {"url": db_url},
        "collectors": merge(FAST, collectors or {}),
        "sources": sources_,
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def make_settings(
    folder: Path, db_url: str, sources_: list[dict], collectors: dict | None = None
) -> Settings:
    """Settings loaded from a written config file."""
    return load_settings(write_config(folder, db_url, sources_, collectors))


def collect(
    settings: Settings, engine: Engine | None = None, names: list[str] | None = None
) -> dict[str, SourceReport]:
    """One collection pass, as `otklik collect` makes it; reports by source name."""
    engine = engine or make_engine(settings.database.url)
    selected = [s for s in settings.sources if names is None or s.name in names]
    with toolkit(settings) as tools:
        reports = collect_pass(engine, settings, selected, tools, explicit=names is not None)
    return {report.name: report for report in reports}


def stored(engine: Engine, source: str | None = None) -> dict[str, Any]:
    """Stored posts by external id (of one source, or all)."""
    query = select(posts).join(sources, sources.c.id == posts.c.source_id)
    if source:
        query = query.where(sources.c.name == source)
    with engine.connect() as connection:
        return {row.external_id: row for row in connection.execute(query)}


def source_row(engine: Engine, name: str) -> Any:
    """The stored row of a source."""
    with engine.connect() as connection:
        return connection.execute(select(sources).where(sources.c.name == name)).one()


def alerts(engine: Engine) -> list[Any]:
    """Source alert events."""
    with engine.connect() as connection:
        return list(connection.execute(select(events).where(events.c.kind == "source_alert")))


def now_ts() -> int:
    """Unix seconds now."""
    return int(time.time())
