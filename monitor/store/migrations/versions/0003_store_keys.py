"""store keys (the pseudonym key of personal-data purges)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 00:00:00
"""

import sqlalchemy as sa
from alembic import op

from monitor.store.tables import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create `store_keys`."""
    op.create_table(
        "store_keys",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_store_keys")),
    )


def downgrade() -> None:
    """Drop `store_keys`."""
    op.drop_table("store_keys")
