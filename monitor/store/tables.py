"""The data model as SQLAlchemy Core tables (see shared/spec/architecture.md).

Migrations in `monitor/store/migrations/versions/` create exactly these tables; a test
compares the two so they never drift apart.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
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

from monitor.store.moments import UTCDateTime, utcnow  # noqa: F401  (re-exported)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


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
    Column("stream", String(20)),  # community, official, news, search, appeals
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
    # The post's stream and the threshold that decided `relevant` from relevance_proba.
    Column("stream", String(20)),
    Column("relevance_threshold", Float),
    # One classification per post: two processing runs at once cannot both store one
    # (migration 0008; monitor/pipeline.py inserts with ON CONFLICT DO NOTHING).
    Index(None, "post_id", unique=True),
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

# Failed sign-ins per source, for the growing delays of monitor/web/logins.py: one row per
# address (name ' ') and per name tried from it; forgotten a window after its last attempt.
login_throttle = Table(
    "login_throttle",
    metadata,
    Column("address", String(100), primary_key=True),
    Column("name", String(200), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_at", UTCDateTime, nullable=False),
    Column("next_allowed_at", UTCDateTime, nullable=False),
    Index(None, "last_at"),
)

# Signed-in page sessions (monitor/web/session_store.py): the cookie carries a random token,
# the store its SHA-256; logging out, a new password or a lock revokes them at once.
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
    Index(None, "user_id"),
    Index(None, "expires_at"),
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

# Keys the store generates once and keeps (the pseudonym key of monitor/privacy.py).
store_keys = Table(
    "store_keys",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("value", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# Scale-out (migration 0008, monitor/store/claims.py): the posts not classified yet, one row
# each, added by a trigger on posts and deleted by one on classifications (so no path that
# stores or classifies a post can miss it). A processing run claims rows by
# setting owner and expires_at; a killed worker's rows are claimed again after expires_at.
# The table holds the backlog only, so claiming costs the same with a year of posts stored.
pending_posts = Table(
    "pending_posts",
    metadata,
    Column("post_id", Integer, ForeignKey("posts.id"), primary_key=True),
    Column("published_at", UTCDateTime, nullable=False),
    Column("owner", String(200)),
    Column("expires_at", UTCDateTime),
    Index(None, "published_at", "post_id"),
)

# Named locks with an expiry: `collect:<source>` (one worker per source), `tick`, ...
leases = Table(
    "leases",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("owner", String(200), nullable=False),
    Column("acquired_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

# The last run of each batch step, whoever ran it (`otklik workers`).
step_runs = Table(
    "step_runs",
    metadata,
    Column("step", String(200), primary_key=True),
    Column("last_started_at", UTCDateTime),
    Column("last_finished_at", UTCDateTime),
    Column("last_status", String(20)),
    Column("last_error", Text),
    Column("last_worker", String(200)),
    Column("last_seconds", Float),
    Column("last_failure_at", UTCDateTime),
    Column("runs", Integer, nullable=False, server_default="0"),
    Column("failures", Integer, nullable=False, server_default="0"),
    Column("consecutive_failures", Integer, nullable=False, server_default="0"),
)

# An answer published where the resident wrote (monitor/publish/); `guid` is the idempotency
# key VK's wall.createComment honours, so a retry never posts twice. Migration 0005.
publications = Table(
    "publications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=False),
    Column("network", String(20), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("target_external_id", String(300), nullable=False),
    Column("target_url", String(1000)),
    Column("guid", String(64), nullable=False, unique=True),
    Column("text", Text, nullable=False),
    Column("state", String(20), nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("published_id", String(100)),
    Column("published_url", String(1000)),
    Column("last_error", Text),
    Column("last_error_code", String(20)),
    Column("actor", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    Index(None, "incident_id"),
)

# A resident's reaction after an answer: satisfied, not_satisfied or unclear (satisfaction/).
reactions = Table(
    "reactions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=False),
    Column("post_id", Integer, ForeignKey("posts.id")),
    Column("key", String(300), nullable=False, unique=True),
    Column("text", Text, nullable=False),
    Column("verdict", String(20), nullable=False),
    Column("probability", Float),
    Column("origin", String(20), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index(None, "incident_id", "at"),
)

# Appeals imported from other systems with their history (monitor/appeals/).
appeals = Table(
    "appeals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("external_id", String(300), nullable=False, unique=True),
    Column("system", String(50), nullable=False),
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("imported_at", UTCDateTime, nullable=False),
    Index(None, "incident_id"),
)

# Every read of a post whose counters changed (and its first read): the reach over time that
# the spread detector scores (monitor/risks/). Written with the post, in the same transaction
# (monitor/store/posts.py); old points are thinned and dropped by monitor/risks/history.py.
reach_history = Table(
    "reach_history",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("post_id", Integer, ForeignKey("posts.id"), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("views", Integer),
    Column("likes", Integer),
    Column("reposts", Integer),
    Column("comments", Integer),
    Index(None, "post_id", "at"),
    Index(None, "at"),
)

# Information risks (fast spread, copies across sources, negativity toward the authorities):
# one row per risk, found again under the same `key` on every scan; `status` is what the person
# responsible for the information agenda did with it.
info_risks = Table(
    "info_risks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(300), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),
    Column("score", Float, nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", String(20), nullable=False, server_default="open"),
    Column("post_id", Integer, ForeignKey("posts.id"), nullable=False),
    Column("incident_id", Integer, ForeignKey("incidents.id")),
    Column("sources_count", Integer, nullable=False, server_default="1"),
    Column("posts_count", Integer, nullable=False, server_default="1"),
    Column("details", JSON),
    Column("detected_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("resolved_at", UTCDateTime),
    Column("resolved_by", String(200)),
    Column("note", Text),
    Index(None, "status", "score"),
    Index(None, "detected_at"),
)

info_risk_posts = Table(
    "info_risk_posts",
    metadata,
    Column("risk_id", Integer, ForeignKey("info_risks.id"), primary_key=True),
    Column("post_id", Integer, ForeignKey("posts.id"), primary_key=True),
    Index(None, "post_id"),
)

# The centre's model registry (monitor/loop/registry.py): the promoted model is the row with
# the latest promoted_at; a rollback clears it, so the previous one is current again.
models = Table(
    "models",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("path", String(1000), nullable=False),
    Column("model_version", String(100), nullable=False),
    Column("trained_at", UTCDateTime),
    Column("data", JSON),
    Column("metrics", JSON),
    Column("relevance_threshold", Float),
    Column("stream_thresholds", JSON),  # {stream: threshold} set by `models threshold --stream`
    Column("promoted_at", UTCDateTime),
    Column("promoted_by", String(200)),
    Column("created_at", UTCDateTime, nullable=False),
    Index(None, "promoted_at"),
)
