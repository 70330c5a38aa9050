"""streams and the threshold that decided

A source carries a stream (community, official, news, search, appeals) that picks its
relevance threshold; each classification keeps the stream and the threshold that decided
`relevant` beside the stored probability, so a later threshold can be re-applied and an
analyst sees why a post was or was not a signal; a registered model may keep a threshold
per stream. The sources of imported appeals are the `appeals` stream.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add sources.stream, classifications.stream and .relevance_threshold,
    models.stream_thresholds; mark the appeals systems' sources."""
    # Plain ADD COLUMN: a rebuilt table would lose the triggers kept on classifications.
    op.add_column("sources", sa.Column("stream", sa.String(length=20), nullable=True))
    op.add_column("classifications", sa.Column("stream", sa.String(length=20), nullable=True))
    op.add_column("classifications", sa.Column("relevance_threshold", sa.Float(), nullable=True))
    op.add_column("models", sa.Column("stream_thresholds", sa.JSON(), nullable=True))
    op.execute(
        "UPDATE sources SET stream = 'appeals' WHERE name IN (SELECT DISTINCT system FROM appeals)"
    )


def downgrade() -> None:
    """Drop the columns (ALTER TABLE DROP COLUMN: SQLite 3.35 or later)."""
    op.drop_column("models", "stream_thresholds")
    op.drop_column("classifications", "relevance_threshold")
    op.drop_column("classifications", "stream")
    op.drop_column("sources", "stream")
