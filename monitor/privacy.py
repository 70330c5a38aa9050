"""Personal data past its retention: authors' names, ids and links are pseudonymised.

A post published longer ago than `privacy.retention_days` keeps its text, time, source,
territory, reach and links to incidents, so incidents, counts and analytics stay whole;
it loses its author's name, its URL and its raw network object (which repeat the author's
ids and names), and its author id becomes `anon:` and a keyed hash. The hash is the same
for the same author in every purge, so counts of distinct authors (the confirmation rule,
analytics) come out as before. Its key is generated once and kept in `store_keys`; it never
leaves the store. Posts of incidents still open are left until the incident is finished.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    bindparam,
    exists,
    not_,
    null,
    or_,
    select,
    update,
)

from monitor.config import Settings
from monitor.incidents.lifecycle import OPEN_STATUSES
from monitor.store.posts import _insert
from monitor.store.tables import incident_posts, incidents, posts, store_keys

log = logging.getLogger(__name__)

PREFIX = "anon:"
KEY_NAME = "author_pseudonym"
CHUNK = 500


@dataclass
class PurgeReport:
    """What one purge did."""

    cutoff: datetime | None
    posts: int = 0
    authors: int = 0


def pseudonym(key: bytes, author_id: str) -> str:
    """The stable pseudonym of an author id under the store's key."""
    digest = hmac.new(key, author_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return PREFIX + digest[:24]


def pseudonym_key(connection: Connection) -> bytes:
    """The store's pseudonym key, created on first use (the same for every process)."""
    found = connection.execute(
        select(store_keys.c.value).where(store_keys.c.name == KEY_NAME)
    ).scalar()
    if found is None:
        values = {"name": KEY_NAME, "value": secrets.token_hex(32), "created_at": datetime.now(UTC)}
        statement = _insert(connection, store_keys).values(values)
        connection.execute(statement.on_conflict_do_nothing(index_elements=["name"]))
        found = connection.execute(
            select(store_keys.c.value).where(store_keys.c.name == KEY_NAME)
        ).scalar_one()
    return bytes.fromhex(found)


def _due(cutoff: datetime):
    """SQL: posts past the cutoff that still carry personal data, not of an open incident."""
    still_open = exists(
        select(incident_posts.c.post_id)
        .join(incidents, incidents.c.id == incident_posts.c.incident_id)
        .where(incident_posts.c.post_id == posts.c.id, incidents.c.status.in_(OPEN_STATUSES))
    )
    personal = or_(
        posts.c.author_name.is_not(None),
        posts.c.url.is_not(None),
        and_(posts.c.author_id.is_not(None), not_(posts.c.author_id.startswith(PREFIX))),
        posts.c.raw.is_not(None),
    )
    return and_(posts.c.published_at < cutoff, personal, not_(still_open))


def purge(engine: Engine, settings: Settings, *, now: datetime | None = None) -> PurgeReport:
    """Pseudonymise the authors of posts past the retention, chunk by chunk; safe to repeat."""
    days = settings.privacy.retention_days
    if days is None:
        return PurgeReport(cutoff=None)
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(days=days)
    report = PurgeReport(cutoff=cutoff)
    authors: set[str] = set()
    with engine.begin() as connection:
        key = pseudonym_key(connection)
    last_id = 0
    while True:
        with engine.begin() as connection:
            rows = connection.execute(
                select(posts.c.id, posts.c.author_id)
                .where(_due(cutoff), posts.c.id > last_id)
                .order_by(posts.c.id)
                .limit(CHUNK)
            ).all()
            if not rows:
                break
            changes = []
            for row in rows:
                author = row.author_id
                if author is not None and not author.startswith(PREFIX):
                    authors.add(author)
                    author = pseudonym(key, author)
                changes.append({"pk": row.id, "new_author": author})
            connection.execute(
                update(posts)
                .where(posts.c.id == bindparam("pk"))
                .values(author_id=bindparam("new_author"), author_name=None, url=None, raw=null()),
                changes,
            )
            report.posts += len(rows)
            last_id = rows[-1].id
    report.authors = len(authors)
    if report.posts:
        log.info("purged personal data of %d posts (%d authors)", report.posts, report.authors)
    return report
