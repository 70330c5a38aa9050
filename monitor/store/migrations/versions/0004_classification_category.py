"""classification problem category

The classifier now returns a problem category inside the sector (learned from the city
portal's reasons, «прочее» where none fits); it is kept on each classification.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add classifications.category."""
    with op.batch_alter_table("classifications") as batch:
        batch.add_column(sa.Column("category", sa.String(length=100), nullable=True))


def downgrade() -> None:
    """Drop classifications.category."""
    with op.batch_alter_table("classifications") as batch:
        batch.drop_column("category")
