"""Whether an extracted claim stands on its own (issue 16 class 5): `claim.decontextualised`.

The rule extractor marks a claim `decontextualised: false` when its text still leans on the article
(a pronoun nothing resolved, a speaker's unnamed "we"), so a checker knows to read the sentence around
it. Existing rows stay NULL (not recorded): the flag was computed but not stored before this release.

Revision ID: 0018_claim_decontextualised
Revises: 0017_article_genre
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0018_claim_decontextualised"
down_revision: str | None = "0017_article_genre"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("claim") as batch:
        batch.add_column(sa.Column("decontextualised", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("claim") as batch:
        batch.drop_column("decontextualised")
