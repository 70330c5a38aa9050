"""worker claims: one classification per post, post claims, leases, step runs

Two processing runs at once (two `otklik process`, or several Celery workers) must never
classify a post twice. `classifications.post_id` becomes unique (duplicates left by earlier
concurrent runs are removed first, keeping the oldest row of each post); `post_claims` holds
the posts a worker has taken, each with a lease that expires so a killed worker's batch is
taken again; `leases` are named locks with an expiry (one source collected by one worker at
a time); `step_runs` records the last run of each step for `otklik workers`.

Revision ID: 0008
Revises: 0002
Create Date: 2026-12-07 00:00:00
"""

import sqlalchemy as sa
from alembic import op

import monitor.store.tables

revision = "0008"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "DELETE FROM classifications WHERE id NOT IN "
        "(SELECT keep FROM (SELECT MIN(id) AS keep FROM classifications GROUP BY post_id) AS k)"
    )
    with op.batch_alter_table("classifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_classifications_post_id"))
        batch_op.create_index(batch_op.f("ix_classifications_post_id"), ["post_id"], unique=True)

    op.create_table(
        "post_claims",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("expires_at", monitor.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_post_claims_post_id_posts")
        ),
        sa.PrimaryKeyConstraint("post_id", name=op.f("pk_post_claims")),
    )
    with op.batch_alter_table("post_claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_post_claims_expires_at"), ["expires_at"])
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
    with op.batch_alter_table("post_claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_post_claims_expires_at"))
    op.drop_table("post_claims")
    with op.batch_alter_table("classifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_classifications_post_id"))
        batch_op.create_index(batch_op.f("ix_classifications_post_id"), ["post_id"], unique=False)
