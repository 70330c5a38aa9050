"""A backlog of posts and the checks that every post was processed exactly once."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine, func, select

from bench.process import stream
from monitor.ingest import ingest_file
from monitor.store.tables import (
    classifications,
    events,
    incident_posts,
    incidents,
    pending_posts,
    posts,
)


def load_backlog(engine: Engine, folder: Path, count: int) -> None:
    """Store `count` posts of the benchmark stream (about 1 in 20 a resident's signal)."""
    path = folder / "backlog.jsonl"
    path.write_text(
        "\n".join(json.dumps(row, ensure_ascii=False) for row in stream(count)), encoding="utf-8"
    )
    ingest_file(engine, path, replay=True)


def assert_processed_once(engine: Engine, total: int) -> dict:
    """Every post classified once, every signal in one incident, counts consistent."""
    with engine.connect() as connection:

        def scalar(query):
            return connection.execute(query).scalar_one()

        stored = scalar(select(func.count()).select_from(posts))
        rows = scalar(select(func.count()).select_from(classifications))
        distinct = scalar(select(func.count(func.distinct(classifications.c.post_id))))
        relevant = scalar(
            select(func.count()).select_from(classifications).where(classifications.c.relevant)
        )
        linked = scalar(select(func.count()).select_from(incident_posts))
        linked_distinct = scalar(select(func.count(func.distinct(incident_posts.c.post_id))))
        opened = scalar(select(func.count()).select_from(incidents))
        counted = scalar(select(func.coalesce(func.sum(incidents.c.posts_count), 0)))
        created = scalar(select(func.count()).select_from(events).where(events.c.kind == "created"))
        added = scalar(
            select(func.count()).select_from(events).where(events.c.kind == "post_added")
        )
        claims = scalar(select(func.count()).select_from(pending_posts))
    assert stored == total
    assert rows == distinct == total, "a post classified twice or not at all"
    assert linked == linked_distinct == relevant, "a signal grouped twice or not at all"
    assert counted == linked, "an incident's post count lost an update"
    assert created == opened and added == linked - opened
    assert claims == 0, "posts left pending"
    return {"relevant": relevant, "incidents": opened}
