"""ui_session: server-side sessions of the review desk at /ui

The browser's cookie holds a random token; only its SHA-256 is stored here, with the API key it
stands for, the session's CSRF token and when it expires. Revoking or deleting the key ends its sessions.

Revision ID: 0009_ui_session
Revises: 0004_passage_search_index
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_ui_session"
down_revision: str | None = "0004_passage_search_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ui_session",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.Integer(), sa.ForeignKey("api_key.id", ondelete="CASCADE"), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_ui_session_token_hash", "ui_session", ["token_hash"], unique=True)
    op.create_index("ix_ui_session_key_id", "ui_session", ["key_id"])
    op.create_index("ix_ui_session_expires_at", "ui_session", ["expires_at"])


def downgrade() -> None:
    op.drop_table("ui_session")
