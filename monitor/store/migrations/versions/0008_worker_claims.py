"""worker claims: one classification per post, pending posts, leases, step runs

Two processing runs at once (two `otklik process`, or several Celery workers) must never
classify a post twice. `classifications.post_id` becomes unique (duplicates left by earlier
concurrent runs are removed first, keeping the oldest row of each post). `pending_posts`
holds the posts not processed yet (filled by a trigger on posts, backfilled here), which a
worker claims with a lease that expires, so a killed worker's batch is taken again.
`leases` are named locks with an expiry (one source collected by one worker at a time);
`step_runs` records the last run of each step for `otklik workers`.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 00:00:00
"""

import sqlalchemy as sa
from alembic import op

import monitor.store.tables

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Every stored post is pending until classified, whichever code stored or classified it.
SQLITE_TRIGGER = (
    """CREATE TRIGGER posts_pending AFTER INSERT ON posts BEGIN
  INSERT INTO pending_posts (post_id, published_at) VALUES (new.id, new.published_at);
END""",
    """CREATE TRIGGER classifications_done AFTER INSERT ON classifications BEGIN
  DELETE FROM pending_posts WHERE post_id = new.post_id;
END""",
)
PG_TRIGGER = (
    """CREATE FUNCTION otklik_post_pending() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO pending_posts (post_id, published_at) VALUES (NEW.id, NEW.published_at);
  RETURN NEW;
END $$""",
    "CREATE TRIGGER posts_pending AFTER INSERT ON posts "
    "FOR EACH ROW EXECUTE FUNCTION otklik_post_pending()",
    """CREATE FUNCTION otklik_post_done() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM pending_posts WHERE post_id = NEW.post_id;
  RETURN NEW;
END $$""",
    "CREATE TRIGGER classifications_done AFTER INSERT ON classifications "
    "FOR EACH ROW EXECUTE FUNCTION otklik_post_done()",
)


def upgrade() -> None:
    op.execute(
        "DELETE FROM classifications WHERE id NOT IN "
        "(SELECT keep FROM (SELECT MIN(id) AS keep FROM classifications GROUP BY post_id) AS k)"
    )
    with op.batch_alter_table("classifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_classifications_post_id"))
        batch_op.create_index(batch_op.f("ix_classifications_post_id"), ["post_id"], unique=True)

    op.create_table(
        "pending_posts",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("published_at", monitor.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("expires_at", monitor.store.tables.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_pending_posts_post_id_posts")
        ),
        sa.PrimaryKeyConstraint("post_id", name=op.f("pk_pending_posts")),
    )
    with op.batch_alter_table("pending_posts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pending_posts_published_at_post_id"), ["published_at", "post_id"]
        )
    op.execute(
        "INSERT INTO pending_posts (post_id, published_at) SELECT id, published_at FROM posts "
        "WHERE NOT EXISTS (SELECT 1 FROM classifications WHERE classifications.post_id = posts.id)"
    )
    bind = op.get_bind()
    for statement in PG_TRIGGER if bind.dialect.name == "postgresql" else SQLITE_TRIGGER:
        bind.exec_driver_sql(statement)
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("acquired_at", monitor.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", monitor.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
    )
    op.create_table(
        "step_runs",
        sa.Column("step", sa.String(length=200), nullable=False),
        sa.Column("last_started_at", monitor.store.tables.UTCDateTime(timezone=True)),
        sa.Column("last_finished_at", monitor.store.tables.UTCDateTime(timezone=True)),
        sa.Column("last_status", sa.String(length=20)),
        sa.Column("last_error", sa.Text()),
        sa.Column("last_worker", sa.String(length=200)),
        sa.Column("last_seconds", sa.Float()),
        sa.Column("last_failure_at", monitor.store.tables.UTCDateTime(timezone=True)),
        sa.Column("runs", sa.Integer(), server_default="0", nullable=False),
        sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("consecutive_failures", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("step", name=op.f("pk_step_runs")),
    )


def downgrade() -> None:
    op.drop_table("step_runs")
    op.drop_table("leases")
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    for trigger, table, function in (
        ("posts_pending", "posts", "otklik_post_pending"),
        ("classifications_done", "classifications", "otklik_post_done"),
    ):
        bind.exec_driver_sql(
            f"DROP TRIGGER IF EXISTS {trigger}" + (f" ON {table}" if postgres else "")
        )
        if postgres:
            bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {function}()")
    with op.batch_alter_table("pending_posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_posts_published_at_post_id"))
    op.drop_table("pending_posts")
    with op.batch_alter_table("classifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_classifications_post_id"))
        batch_op.create_index(batch_op.f("ix_classifications_post_id"), ["post_id"], unique=False)
