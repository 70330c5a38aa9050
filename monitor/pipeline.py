"""Processing: classify new posts, group them into incidents, route, set deadlines.

One batch is one transaction: a crash loses at most the batch in flight, and a re-run
picks up exactly the posts that have no classification yet.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, and_, func, insert, or_, select

from monitor.context import Context
from monitor.incidents.grouping import ClassifiedPost, group_post
from monitor.incidents.routing import sync_recipients
from monitor.store.tables import classifications, posts


@dataclass
class ProcessReport:
    """What a processing run did."""

    classified: int = 0
    relevant: int = 0
    incidents_created: int = 0
    posts_grouped: int = 0
    incident_ids: set[int] = field(default_factory=set)


def pending_count(connection: Connection) -> int:
    """How many stored posts have no classification yet."""
    return connection.execute(
        select(func.count())
        .select_from(posts)
        .where(
            ~select(classifications.c.id).where(classifications.c.post_id == posts.c.id).exists()
        )
    ).scalar_one()


def _pending_batch(connection: Connection, size: int, after: tuple | None = None) -> Sequence:
    """The next unclassified posts in (published_at, id) order, after `after` if given.

    Reading on from the last batch's key spares the store from walking past every post
    classified earlier in the run on each batch.
    """
    query = select(posts).where(
        ~select(classifications.c.id).where(classifications.c.post_id == posts.c.id).exists()
    )
    if after is not None:
        published_at, post_id = after
        query = query.where(
            or_(
                posts.c.published_at > published_at,
                and_(posts.c.published_at == published_at, posts.c.id > post_id),
            )
        )
    return connection.execute(query.order_by(posts.c.published_at, posts.c.id).limit(size)).all()


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
    ctx: Context, *, now: datetime | None = None, progress: Callable[[int], None] | None = None
) -> ProcessReport:
    """Classify and group every unprocessed post, one transaction per batch."""
    now = now or ctx.now()
    engine = ctx.db
    report = ProcessReport()
    model = ctx.classifier
    with engine.begin() as connection:
        sync_recipients(connection, ctx.settings)
    after = None
    while True:
        with engine.begin() as connection:
            batch = _pending_batch(connection, ctx.settings.classifier.batch_size, after)
            if not batch and after is not None:
                # Posts stored meanwhile with an earlier date: one pass from the start.
                after = None
                batch = _pending_batch(connection, ctx.settings.classifier.batch_size)
            if not batch:
                break
            after = (batch[-1].published_at, batch[-1].id)
            predictions = model.predict([_as_input(row) for row in batch])
            connection.execute(
                insert(classifications),
                [
                    {
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
                        "territory": p.territory or row.territory_hint,
                        "classified_at": now,
                        "category": p.category,
                    }
                    for row, p in zip(batch, predictions, strict=True)
                ],
            )
            for row, p in zip(batch, predictions, strict=True):
                classified = ClassifiedPost(
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
                    territory=p.territory or row.territory_hint,
                )
                incident_id, created = group_post(
                    connection, ctx.settings, classified, now, model.lemmatizer
                )
                if incident_id is not None:
                    report.posts_grouped += 1
                    report.incident_ids.add(incident_id)
                    report.incidents_created += created
            report.classified += len(batch)
            report.relevant += sum(1 for p in predictions if p.relevant)
        if progress:
            progress(len(batch))
    return report


def entity_dict(entity) -> dict:
    """An entity as plain JSON."""
    return {"kind": entity.kind, "text": entity.text, "normal": entity.normal}
