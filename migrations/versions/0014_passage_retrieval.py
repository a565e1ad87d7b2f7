"""Placeholder owned by issue 15 (evidence retrieval): fill in upgrade/downgrade and this docstring, or leave empty.

Revision ID: 0014_passage_retrieval
Revises: 0013_claim_embedding_state
"""

from __future__ import annotations

revision: str = "0014_passage_retrieval"
down_revision: str | None = "0013_claim_embedding_state"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
