"""Placeholder owned by issue 16 (extraction genres): fill in upgrade/downgrade and this docstring, or leave empty.

Revision ID: 0017_article_genre
Revises: 0016_auth_hardening
"""

from __future__ import annotations

revision: str = "0017_article_genre"
down_revision: str | None = "0016_auth_hardening"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
