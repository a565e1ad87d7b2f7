"""An article's genre (issue 16): editorial, news, transcript or interview.

Given on submission or detected by the rule extractor; it decides whose voice first person is.
Existing rows stay NULL (not recorded): their claims were extracted before genres existed.

Revision ID: 0017_article_genre
Revises: 0016_auth_hardening
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0017_article_genre"
down_revision: str | None = "0016_auth_hardening"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("article") as batch:
        batch.add_column(sa.Column("genre", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("article") as batch:
        batch.drop_column("genre")
