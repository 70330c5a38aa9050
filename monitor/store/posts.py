"""Storing posts idempotently: (source, external id) is unique; only reach is ever updated."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from monitor.records import REACH_KEYS, PostRecord
from monitor.store.tables import posts, sources, utcnow

BATCH = 1000
REPLAY_LAG = timedelta(minutes=5)


@dataclass
class StoreResult:
    """What storing a batch did."""

    inserted: int = 0
    reach_updated: int = 0
    unchanged: int = 0

    def add(self, other: StoreResult) -> None:
        """Accumulate another batch's result."""
        self.inserted += other.inserted
        self.reach_updated += other.reach_updated
        self.unchanged += other.unchanged


def ensure_source(
    connection: Connection,
    name: str,
    kind: str,
    *,
    address: str = "",
    territory: str | None = None,
    poll_interval_s: int | None = None,
) -> int:
    """Return the id of the source named `name`, creating it when it is new."""
    found = connection.execute(select(sources.c.id).where(sources.c.name == name)).scalar()
    if found is not None:
        return found
    values = {
        "name": name,
        "kind": kind,
        "address": address,
        "territory": territory,
        "created_at": utcnow(),
    }
    if poll_interval_s is not None:
        values["poll_interval_s"] = poll_interval_s
    insert = _insert(connection).values(values).on_conflict_do_nothing(index_elements=["name"])
    connection.execute(insert)
    return connection.execute(select(sources.c.id).where(sources.c.name == name)).scalar_one()


def _insert(connection: Connection, table=None):
    table = sources if table is None else table
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _row(source_id: int, record: PostRecord, collected_at: datetime, replay: bool) -> dict:
    if replay:
        collected_at = min(record.published_at + REPLAY_LAG, collected_at)
    return {
        "source_id": source_id,
        "external_id": record.external_id,
        "network": record.network,
        "url": record.url,
        "author_id": record.author.id,
        "author_name": record.author.name,
        "author_audience": record.author.audience,
        "published_at": record.published_at,
        "collected_at": collected_at,
        "text": record.text.replace("\x00", ""),
        "parent_external_id": record.parent_id,
        "repost_of_external_id": record.repost_of,
        "territory_hint": record.territory,
        "views": record.reach.views,
        "likes": record.reach.likes,
        "reposts": record.reach.reposts,
        "comments": record.reach.comments,
        "raw": record.raw,
    }


def store_posts(
    connection: Connection,
    source_id: int,
    records: Iterable[PostRecord],
    *,
    collected_at: datetime | None = None,
    replay: bool = False,
) -> StoreResult:
    """Insert new posts and refresh reach counters of known ones, in the caller's transaction.

    With `replay`, each post counts as collected a few minutes after it was published
    (for loading historic data as if it had been collected live).
    """
    collected_at = collected_at or utcnow()
    result = StoreResult()
    batch: list[PostRecord] = []
    for record in records:
        batch.append(record)
        if len(batch) >= BATCH:
            result.add(_store_batch(connection, source_id, batch, collected_at, replay))
            batch = []
    if batch:
        result.add(_store_batch(connection, source_id, batch, collected_at, replay))
    return result


def _store_batch(
    connection: Connection,
    source_id: int,
    batch: Sequence[PostRecord],
    collected_at: datetime,
    replay: bool,
) -> StoreResult:
    unique: dict[str, PostRecord] = {}
    for record in batch:
        unique[record.external_id] = record  # the last copy in a batch wins
    existing = {
        row.external_id: row
        for row in connection.execute(
            select(posts.c.id, posts.c.external_id, *[posts.c[key] for key in REACH_KEYS])
            .where(posts.c.source_id == source_id)
            .where(posts.c.external_id.in_(list(unique)))
        )
    }
    new_rows = [
        _row(source_id, r, collected_at, replay) for key, r in unique.items() if key not in existing
    ]
    result = StoreResult()
    if new_rows:
        insert = _insert(connection, posts).on_conflict_do_nothing(
            index_elements=["source_id", "external_id"]
        )
        outcome = connection.execute(insert.returning(posts.c.id), new_rows)
        result.inserted = len(outcome.all())
    changes = []
    for key, row in existing.items():
        reach = unique[key].reach
        fresh = {name: getattr(reach, name) for name in REACH_KEYS}
        if any(value is not None and value != getattr(row, name) for name, value in fresh.items()):
            changes.append(
                {
                    "post_pk": row.id,
                    **{
                        f"new_{k}": v if v is not None else getattr(row, k)
                        for k, v in fresh.items()
                    },
                }
            )
    if changes:
        statement = (
            update(posts)
            .where(posts.c.id == bindparam("post_pk"))
            .values(
                **{key: bindparam(f"new_{key}") for key in REACH_KEYS},
                reach_updated_at=collected_at,
            )
        )
        connection.execute(statement, changes)
    result.reach_updated = len(changes)
    result.unchanged = len(existing) - len(changes)
    return result
