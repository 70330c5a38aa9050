"""model registry

The centre's models: each package trained from its labels is registered with the data it
was trained on and its scores on the centre's fair check; the promoted one (the latest
`promoted_at`) is what `process` and `run` classify with. A rollback clears the current
model's `promoted_at`, so the one promoted before it is current again.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 00:00:00
"""

import sqlalchemy as sa
from alembic import op

from monitor.store.tables import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("path", sa.String(length=1000), nullable=False),
        sa.Column("model_version", sa.String(length=100), nullable=False),
        sa.Column("trained_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.Column("metrics", sa.JSON(), nullable=True),
        sa.Column("relevance_threshold", sa.Float(), nullable=True),
        sa.Column("promoted_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("promoted_by", sa.String(length=200), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_models")),
        sa.UniqueConstraint("name", name=op.f("uq_models_name")),
    )
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_models_promoted_at"), ["promoted_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_models_promoted_at"))
    op.drop_table("models")
