"""Placeholder owned by issue 18 (interoperability): fill in upgrade/downgrade and this docstring, or leave empty.

Revision ID: 0018_interop
Revises: 0017_article_genre
"""

from __future__ import annotations

revision: str = "0018_interop"
down_revision: str | None = "0017_article_genre"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
