"""reach history and information risks

`reach_history` keeps every read of a post whose counters changed (and its first read);
`info_risks` and `info_risk_posts` hold the risks the detectors of monitor/risks/ find.
Existing posts get one history point each, their stored counters at their last refresh.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 00:00:00
"""

import sqlalchemy as sa
from alembic import op

import monitor.store.tables

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

Moment = monitor.store.tables.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "reach_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("at", Moment(timezone=True), nullable=False),
        sa.Column("views", sa.Integer(), nullable=True),
        sa.Column("likes", sa.Integer(), nullable=True),
        sa.Column("reposts", sa.Integer(), nullable=True),
        sa.Column("comments", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_reach_history_post_id_posts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reach_history")),
    )
    with op.batch_alter_table("reach_history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reach_history_post_id_at"), ["post_id", "at"])
        batch_op.create_index(batch_op.f("ix_reach_history_at"), ["at"])
    op.execute(
        "INSERT INTO reach_history (post_id, at, views, likes, reposts, comments) "
        "SELECT id, COALESCE(reach_updated_at, collected_at), views, likes, reposts, comments "
        "FROM posts WHERE views IS NOT NULL OR likes IS NOT NULL OR reposts IS NOT NULL "
        "OR comments IS NOT NULL"
    )
    op.create_table(
        "info_risks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="open", nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("sources_count", sa.Integer(), server_default="1", nullable=False),
        sa.Column("posts_count", sa.Integer(), server_default="1", nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("detected_at", Moment(timezone=True), nullable=False),
        sa.Column("updated_at", Moment(timezone=True), nullable=False),
        sa.Column("resolved_at", Moment(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_info_risks_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_info_risks_post_id_posts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_info_risks")),
        sa.UniqueConstraint("key", name=op.f("uq_info_risks_key")),
    )
    with op.batch_alter_table("info_risks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_info_risks_status_score"), ["status", "score"])
        batch_op.create_index(batch_op.f("ix_info_risks_detected_at"), ["detected_at"])
    op.create_table(
        "info_risk_posts",
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_info_risk_posts_post_id_posts")
        ),
        sa.ForeignKeyConstraint(
            ["risk_id"], ["info_risks.id"], name=op.f("fk_info_risk_posts_risk_id_info_risks")
        ),
        sa.PrimaryKeyConstraint("risk_id", "post_id", name=op.f("pk_info_risk_posts")),
    )
    with op.batch_alter_table("info_risk_posts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_info_risk_posts_post_id"), ["post_id"])


def downgrade() -> None:
    with op.batch_alter_table("info_risk_posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_info_risk_posts_post_id"))
    op.drop_table("info_risk_posts")
    with op.batch_alter_table("info_risks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_info_risks_detected_at"))
        batch_op.drop_index(batch_op.f("ix_info_risks_status_score"))
    op.drop_table("info_risks")
    with op.batch_alter_table("reach_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reach_history_at"))
        batch_op.drop_index(batch_op.f("ix_reach_history_post_id_at"))
    op.drop_table("reach_history")
