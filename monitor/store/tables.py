"""The data model as SQLAlchemy Core tables (see shared/spec/architecture.md).

Migrations in `monitor/store/migrations/versions/` create exactly these tables; a test
compares the two so they never drift apart.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator):
    """A moment in time: stored in UTC, always returned timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use an aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    """The current moment, timezone-aware UTC."""
    return datetime.now(UTC)


sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),
    Column("address", String(500), nullable=False, server_default=""),
    Column("territory", String(200)),
    Column("poll_interval_s", Integer, nullable=False, server_default="900"),
    Column("enabled", Boolean, nullable=False, server_default="1"),
    Column("status", String(20), nullable=False, server_default="active"),
    Column("cursor", JSON),
    Column("last_success_at", UTCDateTime),
    Column("last_error_at", UTCDateTime),
    Column("last_error", Text),
    Column("consecutive_failures", Integer, nullable=False, server_default="0"),
    Column("next_poll_at", UTCDateTime),
    Column("parked_until", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
)

posts = Table(
    "posts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id"), nullable=False),
    Column("external_id", String(300), nullable=False),
    Column("network", String(20), nullable=False),
    Column("url", String(1000)),
    Column("author_id", String(200)),
    Column("author_name", String(300)),
    Column("author_audience", Integer),
    Column("published_at", UTCDateTime, nullable=False),
    Column("collected_at", UTCDateTime, nullable=False),
    Column("text", Text, nullable=False),
    Column("parent_external_id", String(300)),
    Column("repost_of_external_id", String(300)),
    Column("territory_hint", String(200)),
    Column("views", Integer),
    Column("likes", Integer),
    Column("reposts", Integer),
    Column("comments", Integer),
    Column("reach_updated_at", UTCDateTime),
    Column("raw", JSON),
    UniqueConstraint("source_id", "external_id"),
    Index(None, "external_id"),
    Index(None, "published_at"),
)

classifications = Table(
    "classifications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("post_id", Integer, ForeignKey("posts.id"), nullable=False),
    Column("model_version", String(100), nullable=False),
    Column("relevant", Boolean, nullable=False),
    Column("relevance_proba", Float, nullable=False),
    Column("sector", String(50)),
    Column("sector_proba", Float),
    Column("sector_top", JSON),
    Column("risk_text", String(20)),
    Column("risk", String(20)),
    Column("entities", JSON),
    Column("territory", String(200)),
    Column("classified_at", UTCDateTime, nullable=False),
    Column("category", String(100)),
    Index(None, "post_id"),
)

recipients = Table(
    "recipients",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(100), nullable=False, unique=True),
    Column("name", String(300), nullable=False),
    Column("kind", String(50), nullable=False, server_default="department"),
    Column("email", String(300)),
    Column("telegram_chat_id", String(100)),
    Column("parent_code", String(100)),
    Column("active", Boolean, nullable=False, server_default="1"),
)

incidents = Table(
    "incidents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", String(300), nullable=False),
    Column("sector", String(50), nullable=False),
    Column("risk", String(20), nullable=False),
    Column("risk_rank", Integer, nullable=False, server_default="0"),
    Column("risk_text", String(20)),
    Column("territory", String(200)),
    Column("status", String(20), nullable=False, server_default="new"),
    Column("recipient_id", Integer, ForeignKey("recipients.id")),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("last_post_at", UTCDateTime, nullable=False),
    Column("first_response_due", UTCDateTime),
    Column("final_answer_due", UTCDateTime),
    Column("first_response_at", UTCDateTime),
    Column("answered_at", UTCDateTime),
    Column("closed_at", UTCDateTime),
    Column("overdue", Boolean, nullable=False, server_default="0"),
    Column("escalation_level", Integer, nullable=False, server_default="0"),
    Column("paused_at", UTCDateTime),
    Column("paused_seconds", Integer, nullable=False, server_default="0"),
    Column("posts_count", Integer, nullable=False, server_default="0"),
    Column("authors_count", Integer, nullable=False, server_default="0"),
    Column("signature", Text, nullable=False, server_default=""),
    Index(None, "sector", "territory", "last_post_at"),
    Index(None, "recipient_id", "status"),
    Index(None, "created_at"),
    # One sector over a period (analytics: problems, growth drivers).
    Index(None, "sector", "created_at"),
    Index(None, "first_response_due"),
    # The queue's counts by risk and status (monitor/web/queueview.py) read this index alone;
    # risk first, so that it never tempts the planner away from the queue order index.
    Index(None, "risk_rank", "status"),
)

# Each spell in `waiting`: the deadline clock does not run inside one (see incidents/sla.py).
incident_pauses = Table(
    "incident_pauses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime),
    Column("status_before", String(20), nullable=False),
    Column("reason", Text),
    Index(None, "incident_id", "started_at"),
)

# The queue's order (most urgent first): walking this index lets a filtered page stop early.
Index(
    "ix_incidents_queue_order",
    incidents.c.risk_rank.desc(),
    incidents.c.first_response_due,
    incidents.c.id.desc(),
)

incident_posts = Table(
    "incident_posts",
    metadata,
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=False),
    Column("post_id", Integer, ForeignKey("posts.id"), nullable=False, unique=True),
    Column("role", String(20), nullable=False),
    Column("added_at", UTCDateTime, nullable=False),
    Index(None, "incident_id"),
)

# Which sources an incident's posts came from: incident_posts ⋈ posts, denormalised so that the
# queue's source filter is one index probe per incident. Written next to every incident_posts
# row (monitor/incidents/grouping.py); migration 0002 backfills it.
incident_sources = Table(
    "incident_sources",
    metadata,
    Column("incident_id", Integer, ForeignKey("incidents.id"), primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id"), primary_key=True),
    Index(None, "source_id"),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("incident_id", Integer, ForeignKey("incidents.id")),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("kind", String(50), nullable=False),
    Column("payload", JSON),
    Index(None, "incident_id", "at"),
    Index(None, "kind", "at"),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("role", String(20), nullable=False),
    Column("recipient_id", Integer, ForeignKey("recipients.id")),
    Column("password_hash", String(300)),
    Column("api_token_hash", String(128), unique=True),
    Column("active", Boolean, nullable=False, server_default="1"),
    Column("created_at", UTCDateTime, nullable=False),
)

# Failed logins, kept for the login rate limit (monitor/web/logins.py); old rows are pruned.
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("address", String(100), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index(None, "name", "at"),
    Index(None, "address", "at"),
)

templates = Table(
    "templates",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sector", String(50)),
    Column("kind", String(20), nullable=False),
    Column("title", String(300), nullable=False),
    Column("body", Text, nullable=False),
)

labels = Table(
    "labels",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("post_id", Integer, ForeignKey("posts.id"), nullable=False),
    Column("incident_id", Integer, ForeignKey("incidents.id")),
    Column("relevant", Boolean),
    Column("sector", String(50)),
    Column("risk", String(20)),
    Column("territory", String(200)),
    Column("actor", String(200), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index(None, "post_id"),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dedup_key", String(300), nullable=False, unique=True),
    Column("incident_id", Integer, ForeignKey("incidents.id")),
    Column("recipient_id", Integer, ForeignKey("recipients.id")),
    Column("channel", String(20), nullable=False),
    Column("address", String(300), nullable=False),
    Column("kind", String(50), nullable=False),
    Column("subject", String(500), nullable=False),
    Column("body", Text, nullable=False),
    Column("state", String(20), nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UTCDateTime),
    Column("sent_at", UTCDateTime),
    Column("last_error", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Index(None, "state", "next_attempt_at"),
)
