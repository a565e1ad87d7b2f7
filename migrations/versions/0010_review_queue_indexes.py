"""Review queue indexes: status filter + sort column + id, so a queue page is an index range scan.

Without them a status-filtered queue sorted by score reads and sorts every claim of that status for
each page (bench/review_queue.py: page 1 of 33k 'new' claims on SQLite went from ~64 ms to ~1 ms).

Revision ID: 0010_review_queue_indexes
Revises: 0009_ui_session
"""

from __future__ import annotations

from alembic import op

revision: str = "0010_review_queue_indexes"
down_revision: str | None = "0009_ui_session"
branch_labels: str | None = None
depends_on: str | None = None

INDEXES = {
    "ix_claim_status_score_id": ["status", "score", "id"],
    "ix_claim_status_priority_id": ["status", "priority", "id"],
    "ix_claim_status_created_at_id": ["status", "created_at", "id"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "claim", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="claim")
