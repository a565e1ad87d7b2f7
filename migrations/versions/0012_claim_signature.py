"""Placeholder owned by issue 14 (claim identity: signatures): fill in upgrade/downgrade and this docstring, or leave empty.

Revision ID: 0012_claim_signature
Revises: 0011_library_version
"""

from __future__ import annotations

revision: str = "0012_claim_signature"
down_revision: str | None = "0011_library_version"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
