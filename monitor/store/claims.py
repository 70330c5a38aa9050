"""Claims in the store: who is working on what, so that parallel runs never do it twice.

Three kinds, all with an expiry so that a run killed with SIGKILL never blocks the others
for longer than its lease:

- post claims: a processing run takes a batch of `pending_posts` (on PostgreSQL with
  `SELECT … FOR UPDATE SKIP LOCKED`, so concurrent runs take different posts without
  waiting) by writing its name and an expiry on them; other runs skip them until the claim
  expires or the batch is stored (the rows are deleted in the same transaction);
- leases: named locks (`collect:<source>`, `tick`) taken with an upsert that only replaces
  an expired lease;
- step runs: the last run of each step, for `otklik workers`.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from monitor.store.tables import leases, pending_posts, posts, step_runs


def new_owner() -> str:
    """A name for one worker or run: host, process id and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _dialect(connection: Connection):
    return postgresql if connection.dialect.name == "postgresql" else sqlite


def _free(now: datetime):
    return or_(pending_posts.c.owner.is_(None), pending_posts.c.expires_at <= now)


def claim_posts(
    engine: Engine, owner: str, size: int, *, now: datetime, lease_seconds: float
) -> list:
    """Take up to `size` pending posts that nobody holds, oldest first; their post rows.

    One UPDATE … WHERE post_id IN (SELECT … LIMIT n) statement: on PostgreSQL the inner
    select locks its rows with SKIP LOCKED, so concurrent runs take different posts without
    waiting; on SQLite the statement runs under the write lock. It reads `pending_posts`,
    which holds the backlog only, so its cost does not grow with the posts stored.
    """
    picked = (
        select(pending_posts.c.post_id)
        .where(_free(now))
        .order_by(pending_posts.c.published_at, pending_posts.c.post_id)
        .limit(size)
    )
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            picked = picked.with_for_update(skip_locked=True)
        taken = list(
            connection.execute(
                update(pending_posts)
                .where(pending_posts.c.post_id.in_(picked.scalar_subquery()))
                .where(_free(now))
                .values(owner=owner, expires_at=now + timedelta(seconds=lease_seconds))
                .returning(pending_posts.c.post_id)
            ).scalars()
        )
        if not taken:
            return []
        return connection.execute(
            select(posts).where(posts.c.id.in_(taken)).order_by(posts.c.published_at, posts.c.id)
        ).all()


def release_posts(connection: Connection, owner: str, post_ids: Sequence[int]) -> None:
    """Give this owner's claims on these posts back, unprocessed (in the caller's transaction)."""
    for start in range(0, len(post_ids), 500):
        connection.execute(
            update(pending_posts)
            .where(pending_posts.c.owner == owner)
            .where(pending_posts.c.post_id.in_(list(post_ids[start : start + 500])))
            .values(owner=None, expires_at=None)
        )


def finish_posts(connection: Connection, post_ids: Sequence[int]) -> None:
    """These posts are classified now: no longer pending (in the transaction that stored them)."""
    for start in range(0, len(post_ids), 500):
        connection.execute(
            delete(pending_posts).where(
                pending_posts.c.post_id.in_(list(post_ids[start : start + 500]))
            )
        )


def claimed_count(connection: Connection, now: datetime) -> int:
    """Posts under a live claim (being processed right now)."""
    return connection.execute(
        select(func.count()).select_from(pending_posts).where(~_free(now))
    ).scalar_one()


def waiting_count(connection: Connection, now: datetime) -> int:
    """Pending posts that no live claim holds: what is left to hand out."""
    return connection.execute(
        select(func.count()).select_from(pending_posts).where(_free(now))
    ).scalar_one()


def acquire_lease(engine: Engine, name: str, owner: str, *, now: datetime, seconds: float) -> bool:
    """Take the named lease if it is free, expired or already ours; True when we hold it."""
    expires = now + timedelta(seconds=seconds)
    with engine.begin() as connection:
        statement = (
            _dialect(connection)
            .insert(leases)
            .values(name=name, owner=owner, acquired_at=now, expires_at=expires)
        )
        statement = statement.on_conflict_do_update(
            index_elements=["name"],
            set_={"owner": owner, "acquired_at": now, "expires_at": expires},
            where=or_(leases.c.expires_at <= now, leases.c.owner == owner),
        )
        connection.execute(statement)
        holder = connection.execute(select(leases.c.owner).where(leases.c.name == name)).scalar()
    return holder == owner


def release_lease(engine: Engine, name: str, owner: str) -> None:
    """Give the named lease back if we still hold it."""
    with engine.begin() as connection:
        connection.execute(delete(leases).where(leases.c.name == name, leases.c.owner == owner))


def record_start(engine: Engine, step: str, worker: str, now: datetime) -> None:
    """Note that a step started (one row per step, created on its first run)."""
    with engine.begin() as connection:
        statement = (
            _dialect(connection)
            .insert(step_runs)
            .values(step=step, last_started_at=now, last_worker=worker, runs=0)
        )
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["step"], set_={"last_started_at": now, "last_worker": worker}
            )
        )


def record_finish(
    engine: Engine, step: str, *, now: datetime, seconds: float, error: str | None = None
) -> None:
    """Note how a step's run ended: ok, or failed with its error."""
    values: dict = {
        "last_finished_at": now,
        "last_seconds": seconds,
        "runs": step_runs.c.runs + 1,
        "last_status": "failed" if error else "ok",
    }
    if error:
        values.update(
            last_error=error[:2000],
            last_failure_at=now,
            failures=step_runs.c.failures + 1,
            consecutive_failures=step_runs.c.consecutive_failures + 1,
        )
    else:
        values["consecutive_failures"] = 0
    with engine.begin() as connection:
        connection.execute(update(step_runs).where(step_runs.c.step == step).values(**values))


def step_history(connection: Connection) -> list[dict]:
    """Every step's last run, by step name."""
    rows = connection.execute(select(step_runs).order_by(step_runs.c.step))
    return [dict(row._mapping) for row in rows]
