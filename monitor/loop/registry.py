"""The model registry: the centre's trained packages, which one is promoted, rollbacks.

The promoted model is the row with the latest `promoted_at`; without one, the model named
in `classifier.model` is used. `process` and `run` ask `promoted_classifier` before each
batch: one indexed row is read, and the model is reloaded only when that row changed.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, insert, select, update

from classifier.meta import read_meta
from monitor.config import Settings
from monitor.errors import ConfigError, InputError, NotFound
from monitor.incidents.audit import record_event
from monitor.store.tables import models
from monitor.streams import Threshold, stream_thresholds

if TYPE_CHECKING:
    from classifier import Classifier
    from monitor.context import Context

log = logging.getLogger(__name__)


def current_model(connection: Connection) -> Row | None:
    """The promoted model's row, or None when the configured model is in use."""
    return connection.execute(
        select(models)
        .where(models.c.promoted_at.is_not(None))
        .order_by(models.c.promoted_at.desc(), models.c.id.desc())
        .limit(1)
    ).first()


def get_model(connection: Connection, name: str) -> Row:
    """A registered model by name."""
    row = connection.execute(select(models).where(models.c.name == name)).first()
    if row is None:
        raise NotFound(f"Модель {name!r} не зарегистрирована; см. otklik models list")
    return row


def is_promoted_name(connection: Connection, name: str) -> bool:
    """Whether a model of this name is in use or would come back on a rollback."""
    return (
        connection.execute(
            select(models.c.id).where(models.c.name == name, models.c.promoted_at.is_not(None))
        ).first()
        is not None
    )


def list_models(connection: Connection) -> list[Row]:
    """Every registered model, newest first."""
    return list(
        connection.execute(select(models).order_by(models.c.created_at.desc(), models.c.id))
    )


def register_model(
    connection: Connection, *, name: str, path: Path, meta: dict[str, Any], at: datetime
) -> None:
    """Add a package to the registry (or refresh the row of a retrained one)."""
    values = {
        "path": str(path.resolve()),
        "model_version": str(meta.get("model_version", "unknown")),
        "trained_at": datetime.fromisoformat(meta["created_at"]) if meta.get("created_at") else at,
        "data": meta.get("data"),
        "metrics": None,
        "relevance_threshold": None,
        "stream_thresholds": None,
    }
    existing = connection.execute(select(models.c.id).where(models.c.name == name)).first()
    if existing is None:
        connection.execute(insert(models).values(name=name, created_at=at, **values))
    else:
        connection.execute(update(models).where(models.c.id == existing.id).values(**values))


def save_metrics(connection: Connection, name: str, metrics: dict[str, Any]) -> None:
    """Remember a model's latest fair-check scores."""
    connection.execute(update(models).where(models.c.name == name).values(metrics=metrics))


def promote(
    connection: Connection,
    name: str,
    *,
    actor: str,
    at: datetime,
    evidence: dict[str, Any],
    reason: str | None = None,
) -> None:
    """Make a registered model the one the pipeline uses; written to the audit log."""
    row = get_model(connection, name)
    previous = current_model(connection)
    if previous is not None and previous.id == row.id:
        raise InputError(f"Модель {name!r} уже используется")
    connection.execute(
        update(models).where(models.c.id == row.id).values(promoted_at=at, promoted_by=actor)
    )
    record_event(
        connection,
        incident_id=None,
        kind="model_promoted",
        at=at,
        actor=actor,
        payload={
            "model": name,
            "previous": previous.name if previous is not None else None,
            "reason": reason,
            **evidence,
        },
    )


def rollback(connection: Connection, *, actor: str, at: datetime) -> str | None:
    """Withdraw the promoted model: the one promoted before it (or the configured) is back."""
    row = current_model(connection)
    if row is None:
        raise InputError("Нечего откатывать: используется модель из настроек")
    connection.execute(
        update(models).where(models.c.id == row.id).values(promoted_at=None, promoted_by=None)
    )
    back = current_model(connection)
    record_event(
        connection,
        incident_id=None,
        kind="model_rolled_back",
        at=at,
        actor=actor,
        payload={"model": row.name, "now": back.name if back is not None else None},
    )
    return back.name if back is not None else None


def set_threshold(
    connection: Connection,
    name: str,
    value: float | None,
    *,
    actor: str,
    at: datetime,
    stream: str | None = None,
    **why: Any,
) -> None:
    """Set a registered model's relevance threshold, or one stream's (None clears it: the
    configured one applies again); written to the audit log."""
    row = get_model(connection, name)
    if stream is None:
        before, values = row.relevance_threshold, {"relevance_threshold": value}
    else:
        by_stream = dict(row.stream_thresholds or {})
        before = by_stream.pop(stream, None)
        if value is not None:
            by_stream[stream] = value
        values = {"stream_thresholds": by_stream or None}
    connection.execute(update(models).where(models.c.id == row.id).values(**values))
    where = {} if stream is None else {"stream": stream}
    record_event(
        connection,
        incident_id=None,
        kind="model_threshold",
        at=at,
        actor=actor,
        payload={"model": name, **where, "from": before, "to": value, **why},
    )


def settings_for(settings: Settings, row: Row | None) -> Settings:
    """The settings with the registered model (and its threshold) in `classifier`."""
    if row is None:
        return settings
    chosen = settings.model_copy(deep=True)
    chosen.classifier.model = row.path
    if row.relevance_threshold is not None:
        chosen.classifier.relevance_threshold = row.relevance_threshold
    return chosen


def model_folder(ctx: Context, row: Row | None) -> Path:
    """The package folder of a registered model, or of the configured one."""
    return Path(row.path) if row is not None else ctx.path(ctx.settings.classifier.model)


def current_threshold(ctx: Context, connection: Connection) -> float:
    """The relevance threshold in use, read from settings, registry and meta.json only."""
    row = current_model(connection)
    if row is not None and row.relevance_threshold is not None:
        return float(row.relevance_threshold)
    if ctx.settings.classifier.relevance_threshold is not None:
        return float(ctx.settings.classifier.relevance_threshold)
    try:
        return float(read_meta(model_folder(ctx, row)).get("relevance_threshold", 0.5))
    except ValueError as exc:
        raise ConfigError(f"Модель не читается: {exc}") from None


def thresholds_in_use(ctx: Context, connection: Connection) -> dict[str, Threshold]:
    """Each stream's relevance threshold in use, read from settings, registry and meta.json."""
    row = current_model(connection)
    registered = row.stream_thresholds if row is not None else None
    return stream_thresholds(ctx.settings, registered, current_threshold(ctx, connection))


def with_thresholds(ctx: Context, connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Add to each source row (with its `stream`) the relevance threshold its posts are read
    at; None when the model's meta.json is unreadable (the sources' health still shows)."""
    try:
        by_stream = thresholds_in_use(ctx, connection)
    except ConfigError:
        by_stream = {}
    for row in rows:
        chosen = by_stream.get(row["stream"])
        row["relevance_threshold"] = chosen.value if chosen else None


def promoted_thresholds(ctx: Context, model: Classifier) -> dict[str, Threshold]:
    """Each stream's threshold for the classifier `promoted_classifier` returned."""
    return stream_thresholds(ctx.settings, ctx.model_streams, model.model.relevance_threshold)


def _key(row: Row | None) -> tuple | None:
    return None if row is None else (row.id, row.promoted_at, row.relevance_threshold)


def _streams(row: Row | None) -> dict[str, float] | None:
    return dict(row.stream_thresholds or {}) if row is not None else None


def promoted_classifier(ctx: Context, connection: Connection) -> Classifier:
    """The classifier for the next batch: reloaded when a model was promoted or rolled back.

    A promoted package that fails to load is logged and the model in use is kept, so the
    stream is never left unclassified.
    """
    from monitor.classify import load_classifier

    row = current_model(connection)
    key = _key(row)
    if "classifier" in ctx.__dict__ and ctx.model_key == key:
        ctx.model_streams = _streams(row)  # a stream's threshold needs no reload
        return ctx.classifier
    try:
        loaded = load_classifier(settings_for(ctx.settings, row))
    except ConfigError:
        if "classifier" not in ctx.__dict__:
            raise
        log.exception("the promoted model %s does not load; the current one is kept", row)
        return ctx.classifier
    if "classifier" in ctx.__dict__:
        log.info("model changed: %s -> %s", ctx.classifier.version, loaded.version)
    ctx.classifier = loaded
    ctx.model_key = key
    ctx.model_streams = _streams(row)
    return loaded
