"""Placeholder owned by issue 17 B (security findings): fill in upgrade/downgrade and this docstring, or leave empty.

Revision ID: 0016_auth_hardening
Revises: 0015_article_jobs
"""

from __future__ import annotations

revision: str = "0016_auth_hardening"
down_revision: str | None = "0015_article_jobs"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
