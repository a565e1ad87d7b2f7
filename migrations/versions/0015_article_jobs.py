"""Placeholder owned by issue 17 A (async and bulk articles): fill in upgrade/downgrade and this docstring, or leave empty.

Revision ID: 0015_article_jobs
Revises: 0014_passage_retrieval
"""

from __future__ import annotations

revision: str = "0015_article_jobs"
down_revision: str | None = "0014_passage_retrieval"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
