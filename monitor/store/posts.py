"""Storing posts idempotently: (source, external id) is unique; only reach is ever updated.

Each read that stores a post, or changes its counters, also appends one `reach_history` point
(time, views, likes, reposts, comments), copied by INSERT ... SELECT from the rows just
written, in the same transaction: a crash undoes both, and a read that finds the counters
unchanged appends nothing, so a repeat of a read never duplicates a point (see
monitor/risks/history.py for why, and for the pruning).

A batch is stored in three steps on both databases: look up which of its posts are known,
insert the new ones (INSERT ... ON CONFLICT DO NOTHING), update the reach of known ones whose
counters changed. Known posts never reach the INSERT, so they spend no id (on PostgreSQL an
upsert of every row would take a sequence value for each, stored or not).

PostgreSQL differs in how the rows travel, for speed (bench/ingest.py): the lookup probes the
unique index once per key (see _existing), and the new rows go by COPY into a temporary table
that the same INSERT reads, since a multi-row VALUES with 18 parameters a row costs psycopg
more to parse than the server takes to store the rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    Dialect,
    Row,
    Select,
    String,
    bindparam,
    cast,
    column,
    func,
    insert,
    or_,
    select,
    table,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError

from monitor.records import REACH_KEYS, PostRecord
from monitor.store.tables import UTCDateTime, posts, reach_history, sources, utcnow

BATCH = 1000
REPLAY_LAG = timedelta(minutes=5)
# The columns a new post is stored with: the keys of _row, the staging table's columns.
COLUMNS = (
    "source_id",
    "external_id",
    "network",
    "url",
    "author_id",
    "author_name",
    "author_audience",
    "published_at",
    "collected_at",
    "text",
    "parent_external_id",
    "repost_of_external_id",
    "territory_hint",
    *REACH_KEYS,
    "raw",
)
# PostgreSQL only: one per session, emptied at commit and before each batch.
STAGING = table("otklik_posts_staging", *(column(name) for name in COLUMNS))


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
    stream: str | None = None,
) -> int:
    """Return the id of the source named `name`, creating it when it is new.

    `stream` is kept for a source that is not in the settings (appeals: `appeals`)."""
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
    if stream is not None:
        values["stream"] = stream
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
    return {  # the keys are COLUMNS
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
    existing = {row.external_id: row for row in _existing(connection, source_id, list(unique))}
    new_rows = [
        _row(source_id, r, collected_at, replay) for key, r in unique.items() if key not in existing
    ]
    result = StoreResult()
    if new_rows:
        insert = _insert(connection, posts)
        if connection.dialect.name == "postgresql":
            insert, parameters = insert.from_select(COLUMNS, _staged(connection, new_rows)), None
        else:
            parameters = new_rows
        statement = insert.on_conflict_do_nothing(index_elements=["source_id", "external_id"])
        outcome = connection.execute(statement.returning(posts.c.id), parameters)
        inserted = outcome.scalars().all()
        result.inserted = len(inserted)
        _append_history(connection, inserted, posts.c.collected_at)
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
        _append_history(connection, [c["post_pk"] for c in changes], posts.c.reach_updated_at)
    result.reach_updated = len(changes)
    result.unchanged = len(existing) - len(changes)
    return result


def _append_history(connection: Connection, post_ids: Sequence[int], moment) -> None:
    """One reach point per post, copied from the post's row as just stored (with counters)."""
    if not post_ids:
        return
    counters = [posts.c[key] for key in REACH_KEYS]
    source = select(posts.c.id, moment, *counters).where(
        posts.c.id.in_(list(post_ids)), or_(*(column.is_not(None) for column in counters))
    )
    connection.execute(insert(reach_history).from_select(["post_id", "at", *REACH_KEYS], source))


def _existing(connection: Connection, source_id: int, keys: list[str]) -> Sequence[Row]:
    """The stored posts of the source among `keys`: id, external id and reach."""
    columns = [posts.c.id, posts.c.external_id, *(posts.c[key] for key in REACH_KEYS)]
    mine = posts.c.source_id == source_id
    if connection.dialect.name != "postgresql":
        return connection.execute(select(*columns).where(mine, posts.c.external_id.in_(keys))).all()
    # One probe of the unique index per key. The LIMIT keeps PostgreSQL from flattening the
    # join; an IN list, or a plain join, scans all of the source's posts whenever the table
    # has no statistics, as it has none inside a long ingest transaction.
    wanted = func.unnest(cast(keys, ARRAY(String))).table_valued("external_id")
    wanted = wanted.render_derived(name="wanted")
    found = select(*columns).where(mine, posts.c.external_id == wanted.c.external_id).limit(1)
    found = found.lateral("found")
    return connection.execute(select(found).select_from(wanted).join(found, true())).all()


def _staged(connection: Connection, rows: Sequence[dict]) -> Select:
    """PostgreSQL: COPY the rows into the session's staging table; a SELECT of them."""
    connection.exec_driver_sql(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGING.name} ON COMMIT DELETE ROWS AS"
        f" SELECT {', '.join(COLUMNS)} FROM {posts.name} WITH NO DATA"
    )
    connection.exec_driver_sql(f"TRUNCATE {STAGING.name}")
    dialect = connection.dialect
    formats = [(name, _copy_format(dialect, name)) for name in COLUMNS]
    statement = f"COPY {STAGING.name} ({', '.join(COLUMNS)}) FROM STDIN"
    driver = connection.connection.driver_connection
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([form(row[name]) if form else row[name] for name, form in formats])
    except dialect.loaded_dbapi.Error as error:
        # Raised as SQLAlchemy raises for its own statements: callers tell store failures so.
        gone = dialect.is_disconnect(error, driver, None)
        if gone:
            connection.invalidate(error)
        raise DBAPIError.instance(
            statement, None, error, dialect.loaded_dbapi.Error, connection_invalidated=gone
        ) from error
    return select(*STAGING.columns)


def _copy_format(dialect: Dialect, name: str) -> Callable[[Any], Any] | None:
    """How COPY takes a value of the column: as a statement would bind it, but times and JSON
    as text, which psycopg would otherwise turn into text slowly, one value at a time."""
    kind = posts.c[name].type
    if isinstance(kind, UTCDateTime):
        return lambda value: value and kind.process_bind_param(value, dialect).isoformat()
    if isinstance(kind, JSON):
        return json.dumps  # SQLAlchemy's own default; None becomes JSON null, as it does there
    return kind.dialect_impl(dialect).bind_processor(dialect)
