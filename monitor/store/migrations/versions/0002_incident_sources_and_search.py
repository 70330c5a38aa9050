"""incident sources and title search

The queue's source filter reads `incident_sources` (incident × source, backfilled here from
incident_posts ⋈ posts) instead of joining three tables per incident. The title search gets an
index: on SQLite an FTS5 trigram table kept in sync by triggers, on PostgreSQL a pg_trgm GIN
index (skipped, with a warning, when the extension cannot be created). See
monitor/store/search.py for how queries use them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 00:00:00
"""

import logging
import sqlite3

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

FTS_TABLE = "incidents_fts"
TRGM_INDEX = "ix_incidents_title_trgm"
SQLITE_SEARCH = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
    "title, content='incidents', content_rowid='id', tokenize='trigram')",
    f"""CREATE TRIGGER {FTS_TABLE}_insert AFTER INSERT ON incidents BEGIN
  INSERT INTO {FTS_TABLE}(rowid, title) VALUES (new.id, new.title);
END""",
    f"""CREATE TRIGGER {FTS_TABLE}_delete AFTER DELETE ON incidents BEGIN
  INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title) VALUES ('delete', old.id, old.title);
END""",
    f"""CREATE TRIGGER {FTS_TABLE}_update AFTER UPDATE OF title ON incidents BEGIN
  INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title) VALUES ('delete', old.id, old.title);
  INSERT INTO {FTS_TABLE}(rowid, title) VALUES (new.id, new.title);
END""",
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
)


def _sqlite_trigram_available() -> bool:
    # FTS5's trigram tokenizer needs SQLite 3.34+ built with FTS5; probe a scratch database.
    try:
        probe = sqlite3.connect(":memory:")
        try:
            probe.execute("CREATE VIRTUAL TABLE probe USING fts5(x, tokenize='trigram')")
        finally:
            probe.close()
    except sqlite3.Error:
        return False
    return True


def _create_search(bind: sa.Connection) -> None:
    if bind.dialect.name == "sqlite":
        if not _sqlite_trigram_available():
            log.warning(
                "SQLite %s has no FTS5 trigram tokenizer: search scans", sqlite3.sqlite_version
            )
            return
        for statement in SQLITE_SEARCH:
            bind.exec_driver_sql(statement)
    elif bind.dialect.name == "postgresql":
        try:
            with bind.begin_nested():
                bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except sa.exc.DBAPIError as exc:
            log.warning("pg_trgm is not available (%s): search scans", exc.orig)
            return
        bind.exec_driver_sql(
            f"CREATE INDEX {TRGM_INDEX} ON incidents USING gin (title gin_trgm_ops)"
        )


def upgrade() -> None:
    op.create_table(
        "incident_sources",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_sources_incident_id_incidents"),
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_incident_sources_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("incident_id", "source_id", name=op.f("pk_incident_sources")),
    )
    with op.batch_alter_table("incident_sources", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_sources_source_id"), ["source_id"], unique=False
        )
    op.execute(
        "INSERT INTO incident_sources (incident_id, source_id) "
        "SELECT DISTINCT incident_posts.incident_id, posts.source_id "
        "FROM incident_posts JOIN posts ON posts.id = incident_posts.post_id"
    )
    _create_search(op.get_bind())


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for what in ("insert", "delete", "update"):
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{what}")
        bind.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    elif bind.dialect.name == "postgresql":
        # The pg_trgm extension stays: other database objects may use it.
        bind.exec_driver_sql(f"DROP INDEX IF EXISTS {TRGM_INDEX}")
    with op.batch_alter_table("incident_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_sources_source_id"))
    op.drop_table("incident_sources")
