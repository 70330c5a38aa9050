"""Processing: classify new posts, group them into incidents, route, set deadlines.

One batch is claimed, classified, then stored and grouped in one transaction: a crash loses
at most the batch in flight (its claims expire and another run takes it), and a re-run picks
up exactly the posts that have no classification yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects import postgresql, sqlite

from monitor.config import Settings
from monitor.context import Context
from monitor.incidents.grouping import ClassifiedPost, group_post
from monitor.incidents.routing import sync_recipients
from monitor.incidents.territory import known_territory
from monitor.loop.registry import promoted_classifier, promoted_thresholds
from monitor.store.claims import claim_posts, finish_posts, new_owner, release_posts
from monitor.store.tables import classifications, pending_posts, sources
from monitor.streams import stream_of

GROUPING_LOCK = 0x6F746B6C  # PostgreSQL advisory lock key of the grouping step ("otkl")


@dataclass
class ProcessReport:
    """What a processing run did."""

    classified: int = 0
    relevant: int = 0
    incidents_created: int = 0
    posts_grouped: int = 0
    incident_ids: set[int] = field(default_factory=set)


def pending_count(connection: Connection) -> int:
    """How many stored posts have no classification yet (`pending_posts`, kept by triggers)."""
    return connection.execute(select(func.count()).select_from(pending_posts)).scalar_one()


def _as_input(row) -> dict:
    return {
        "id": str(row.id),
        "text": row.text,
        "territory": row.territory_hint,
        "reach": {
            "views": row.views,
            "likes": row.likes,
            "reposts": row.reposts,
            "comments": row.comments,
        },
        "author": {"audience": row.author_audience},
    }


def process_pending(
    ctx: Context,
    *,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
    max_batches: int | None = None,
    owner: str | None = None,
    sync: bool = True,
) -> ProcessReport:
    """Classify and group unprocessed posts, one claimed batch and one transaction at a time.

    Each batch is claimed in the store first (monitor/store/claims.py), so any number of
    runs at once (`otklik process` twice, Celery workers) take different posts; the
    classifications go in with ON CONFLICT DO NOTHING and only the rows stored by this run
    are grouped, so a post whose claim expired under a slow run is still grouped once.
    `sync=False` skips loading the recipients from config (a worker did it when it started).
    """
    now = now or ctx.now()
    owner = owner or new_owner()
    engine = ctx.db
    report = ProcessReport()
    if sync:
        with engine.begin() as connection:
            sync_recipients(connection, ctx.settings)
    batches = 0
    while max_batches is None or batches < max_batches:
        batch = _claim(ctx, owner)
        if not batch:
            break
        _process_batch(ctx, owner, batch, now, report)
        batches += 1
        if progress:
            progress(len(batch))
    return report


def _claim(ctx: Context, owner: str) -> list:
    return claim_posts(
        ctx.db,
        owner,
        ctx.settings.classifier.batch_size,
        now=datetime.now(UTC),  # leases run on the wall clock, not on `--now`
        lease_seconds=ctx.settings.workers.claim_seconds,
    )


def _streams(connection: Connection, settings: Settings, batch: list) -> list[str]:
    """The stream of each post's source (README, "The classifier": operating point)."""
    found = {
        row.id: stream_of(settings, row.name, row.kind, row.stream)
        for row in connection.execute(
            select(sources.c.id, sources.c.name, sources.c.kind, sources.c.stream).where(
                sources.c.id.in_({row.source_id for row in batch})
            )
        )
    }
    return [found[row.source_id] for row in batch]


def _process_batch(ctx: Context, owner: str, batch: list, now: datetime, report) -> None:
    """Classify one claimed batch outside any transaction, then store and group it in one."""
    with ctx.db.connect() as connection:
        # The promoted model, checked before each batch (one indexed row read).
        model = promoted_classifier(ctx, connection)
        streams = _streams(connection, ctx.settings, batch)
    # The one place a post's stream picks the threshold that makes its probability a signal.
    by_stream = promoted_thresholds(ctx, model)
    ids = [row.id for row in batch]
    try:
        predictions = model.predict(
            [_as_input(row) for row in batch],
            thresholds=[by_stream[stream].value for stream in streams],
        )
    except BaseException:
        with ctx.db.begin() as connection:
            release_posts(connection, owner, ids)
        raise
    with ctx.db.begin() as connection:
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        stored = set(
            connection.execute(
                dialect.insert(classifications)
                .on_conflict_do_nothing(index_elements=["post_id"])
                .returning(classifications.c.post_id),
                [
                    _classification(row, p, stream, now, ctx.settings)
                    for row, p, stream in zip(batch, predictions, streams, strict=True)
                ],
            ).scalars()
        )
        if connection.dialect.name == "postgresql":
            # Grouping reads incidents and updates their counts: one batch at a time, so that
            # parallel workers group exactly as one run would (classifying stays parallel).
            connection.execute(select(func.pg_advisory_xact_lock(GROUPING_LOCK)))
        for row, p in zip(batch, predictions, strict=True):
            if row.id not in stored:
                continue  # stored by another run whose claim this one took over
            incident_id, created = group_post(
                connection, ctx.settings, _classified(row, p, ctx.settings), now, model.lemmatizer
            )
            if incident_id is not None:
                report.posts_grouped += 1
                report.incident_ids.add(incident_id)
                report.incidents_created += created
            report.relevant += bool(p.relevant)
        finish_posts(connection, ids)
    report.classified += len(stored)


def _territory(row, p, settings: Settings) -> str | None:
    """The model's place, else the source's hint when it is a configured territory."""
    return p.territory or known_territory(settings, row.territory_hint)


def _classification(row, p, stream: str, now: datetime, settings: Settings) -> dict:
    return {
        "post_id": row.id,
        "model_version": p.model_version,
        "relevant": p.relevant,
        "relevance_proba": p.relevance_proba,
        "sector": p.sector,
        "sector_proba": p.sector_proba[0][1] if p.sector_proba else None,
        "sector_top": [list(pair) for pair in p.sector_proba],
        "risk_text": p.risk_text,
        "risk": p.risk,
        "entities": [entity_dict(e) for e in p.entities],
        "territory": _territory(row, p, settings),
        "classified_at": now,
        "category": p.category,
        "stream": stream,
        "relevance_threshold": p.relevance_threshold,
    }


def _classified(row, p, settings: Settings) -> ClassifiedPost:
    return ClassifiedPost(
        post_id=row.id,
        external_id=row.external_id,
        author_id=row.author_id,
        text=row.text,
        published_at=row.published_at,
        collected_at=row.collected_at,
        parent_external_id=row.parent_external_id,
        repost_of_external_id=row.repost_of_external_id,
        relevant=p.relevant,
        sector=p.sector,
        risk=p.risk,
        risk_text=p.risk_text,
        territory=_territory(row, p, settings),
    )


def entity_dict(entity) -> dict:
    """An entity as plain JSON."""
    return {"kind": entity.kind, "text": entity.text, "normal": entity.normal}
