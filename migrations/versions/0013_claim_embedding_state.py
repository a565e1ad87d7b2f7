"""Placeholder owned by issue 14 (matching: embedding readiness): fill in upgrade/downgrade and this docstring, or leave empty.

Revision ID: 0013_claim_embedding_state
Revises: 0012_claim_signature
"""

from __future__ import annotations

revision: str = "0013_claim_embedding_state"
down_revision: str | None = "0012_claim_signature"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
