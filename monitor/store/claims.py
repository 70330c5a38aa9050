"""Claims in the store: who is working on what, so that parallel runs never do it twice.

Three kinds, all with an expiry so that a run killed with SIGKILL never blocks the others
for longer than its lease:

- post claims: a processing run takes a batch of unclassified posts (on PostgreSQL with
  `SELECT … FOR UPDATE SKIP LOCKED`, so concurrent runs take different posts without
  waiting) and writes a claim row per post; other runs skip claimed posts until the claim
  expires or the batch is stored (its claims are deleted in the same transaction);
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

from sqlalchemy import Connection, Engine, and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from monitor.store.tables import classifications, leases, post_claims, posts, step_runs


def new_owner() -> str:
    """A name for one worker or run: host, process id and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _dialect(connection: Connection):
    return postgresql if connection.dialect.name == "postgresql" else sqlite


def _unclassified():
    return ~select(classifications.c.id).where(classifications.c.post_id == posts.c.id).exists()


def _unclaimed():
    return ~select(post_claims.c.post_id).where(post_claims.c.post_id == posts.c.id).exists()


def claim_posts(
    engine: Engine,
    owner: str,
    size: int,
    *,
    now: datetime,
    lease_seconds: float,
    after: tuple | None = None,
) -> list:
    """Take up to `size` unclassified, unclaimed posts in (published_at, id) order.

    Returns the post rows this owner now holds. Expired claims are dropped first: that
    statement is a write, so on SQLite the whole claim runs under the write lock and two
    runs cannot even read the same candidates; on PostgreSQL the candidates are locked with
    SKIP LOCKED and a claim that lost a race is dropped by ON CONFLICT DO NOTHING.
    """
    with engine.begin() as connection:
        connection.execute(delete(post_claims).where(post_claims.c.expires_at <= now))
        query = select(posts).where(_unclassified()).where(_unclaimed())
        if after is not None:
            published_at, post_id = after
            query = query.where(
                or_(
                    posts.c.published_at > published_at,
                    and_(posts.c.published_at == published_at, posts.c.id > post_id),
                )
            )
        query = query.order_by(posts.c.published_at, posts.c.id).limit(size)
        if connection.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=posts)
        candidates = connection.execute(query).all()
        if not candidates:
            return []
        expires = now + timedelta(seconds=lease_seconds)
        taken = set(
            connection.execute(
                _dialect(connection)
                .insert(post_claims)
                .on_conflict_do_nothing(index_elements=["post_id"])
                .returning(post_claims.c.post_id),
                [{"post_id": row.id, "owner": owner, "expires_at": expires} for row in candidates],
            ).scalars()
        )
    return [row for row in candidates if row.id in taken]


def release_posts(connection: Connection, owner: str, post_ids: Sequence[int]) -> None:
    """Drop this owner's claims on these posts (in the caller's transaction)."""
    for start in range(0, len(post_ids), 500):
        connection.execute(
            delete(post_claims)
            .where(post_claims.c.owner == owner)
            .where(post_claims.c.post_id.in_(list(post_ids[start : start + 500])))
        )


def claimed_count(connection: Connection, now: datetime) -> int:
    """Posts under a live claim (being processed right now)."""
    return connection.execute(
        select(func.count()).select_from(post_claims).where(post_claims.c.expires_at > now)
    ).scalar_one()


def waiting_count(connection: Connection, now: datetime) -> int:
    """Unclassified posts that no live claim holds: what is left to hand out."""
    live = (
        select(post_claims.c.post_id)
        .where(post_claims.c.post_id == posts.c.id)
        .where(post_claims.c.expires_at > now)
    )
    return connection.execute(
        select(func.count()).select_from(posts).where(_unclassified()).where(~live.exists())
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
