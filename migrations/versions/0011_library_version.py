"""Reference library version: one counter every source write bumps, so a process can tell that evidence
it computed earlier is still what the library would give now.

Revision ID: 0011_library_version
Revises: 0010_review_queue_indexes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0011_library_version"
down_revision: str | None = "0010_review_queue_indexes"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    table = op.create_table(
        "library_state",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
    )
    op.bulk_insert(table, [{"id": 1, "version": 0}])


def downgrade() -> None:
    op.drop_table("library_state")
